import { applyUpdate } from '../sw-register.ts';
import { useStore } from '../store/index.ts';

export function UpdateBanner() {
  const available = useStore((s) => s.updateAvailable);
  const setAvailable = useStore((s) => s.setUpdateAvailable);
  if (!available) return null;
  return (
    <div className="update-banner" role="status">
      A new version of Heirloom is ready.
      <button type="button" onClick={applyUpdate}>
        Reload
      </button>
      <button type="button" className="link" onClick={() => setAvailable(false)}>
        Later
      </button>
    </div>
  );
}
