"""Architecture registry: build_arch(name, **kwargs)."""
from .colour_curves import ColourCurveNet
from .nafnet_local import NAFNetLocal, HeirloomDamageDetector, HeirloomDenoiser, HeirloomFill

ARCH_REGISTRY = {
    'NAFNetLocal': NAFNetLocal,
    'ColourCurveNet': ColourCurveNet,
}


def build_arch(name, **kwargs):
    if name not in ARCH_REGISTRY:
        raise KeyError(f'unknown arch {name!r}; known: {sorted(ARCH_REGISTRY)}')
    return ARCH_REGISTRY[name](**kwargs)


__all__ = ['ARCH_REGISTRY', 'build_arch', 'NAFNetLocal', 'HeirloomDenoiser', 'HeirloomDamageDetector',
           'HeirloomFill']
