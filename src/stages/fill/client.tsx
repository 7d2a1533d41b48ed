import type { StageOptionsProps } from '../../ui/StrengthSlider.tsx';

/** Fill is driven by the mask the user brushes in the review; it has no slider. */
export function Options(_props: StageOptionsProps) {
  return <p className="hint">Marked areas are filled from their surroundings. Brush or erase in the review to change them.</p>;
}
