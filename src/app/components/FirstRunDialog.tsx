import { firstRunSeen, markFirstRunSeen } from '../first-run.ts';
import { Modal } from './Modal.tsx';

/** What Heirloom is, honestly: shown on the first visit, and again from "About". */
export function FirstRunDialog(props: { open: boolean; onClose(): void }) {
  const close = () => {
    markFirstRunSeen();
    props.onClose();
  };
  return (
    <Modal open={props.open} title="Welcome to Heirloom" onClose={close} testId="first-run" className="about">
      <p>
        <strong>Everything stays on this device.</strong> Your photos are opened, restored and saved in this browser. Nothing is uploaded; the app
        downloads its repair models once and then works offline.
      </p>
      <h3>What it can do</h3>
      <ul>
        <li>Reduce grain and noise, soften blur, correct faded or shifted colours.</li>
        <li>Find scratches, dust, cracks and small tears and fill them in; you can brush over any it missed.</li>
        <li>Show you what changed, so you can compare with the original, which is never altered.</li>
      </ul>
      <h3>What it cannot do</h3>
      <ul>
        <li>It cannot recover detail that is not in the photo. Sharper is not the same as truer.</li>
        <li>Large missing or damaged areas can only be filled with invented content. Those fills are marked, and exports record them as generated.</li>
      </ul>
      <h3>Please use it fairly</h3>
      <ul>
        <li>Restore your own photos, or photos you have permission to work on.</li>
        <li>Don’t use restorations to mislead: by default each export carries a plain record of the edits.</li>
      </ul>
      <div className="modal-actions">
        <button type="button" className="primary" autoFocus onClick={close}>
          Got it
        </button>
      </div>
    </Modal>
  );
}

export { firstRunSeen };
