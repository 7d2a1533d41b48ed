"""Architecture registry: build_arch(name, **kwargs); load_checkpoint(path) for a trained one."""
from .colour_curves import ColourCurveNet
from .detect_cascade import DetectCascade
from .nafnet_local import NAFNetLocal, HeirloomDamageDetector, HeirloomDenoiser, HeirloomFill
from ..utils import read_checkpoint

ARCH_REGISTRY = {
    'NAFNetLocal': NAFNetLocal,
    'ColourCurveNet': ColourCurveNet,
    'DetectCascade': DetectCascade,
}


def build_arch(name, **kwargs):
    if name not in ARCH_REGISTRY:
        raise KeyError(f'unknown arch {name!r}; known: {sorted(ARCH_REGISTRY)}')
    return ARCH_REGISTRY[name](**kwargs)


def load_checkpoint(path, cfg=None):
    """(net in eval mode, checkpoint dict) of a train.py checkpoint, built from ``cfg``'s arch
    (default: the config stored in the checkpoint)."""
    ck = read_checkpoint(path)
    a = dict((cfg or ck['config'])['arch'])
    net = build_arch(a.pop('type'), **a)
    net.load_state_dict(ck['model'])
    return net.eval(), ck


__all__ = ['ARCH_REGISTRY', 'build_arch', 'load_checkpoint', 'NAFNetLocal', 'HeirloomDenoiser', 'HeirloomDamageDetector',
           'HeirloomFill', 'DetectCascade']
