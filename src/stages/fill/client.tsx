import type { StageOptionsProps } from '../../app/components/StrengthSlider.tsx';

/** The fill has no slider: what it fills is the found damage, which the user edits with a brush in the review. */
export function Options(_props: StageOptionsProps) {
  return (
    <p className="hint">
      Scratches and specks are filled automatically; missing areas wait for your OK. In the review you can brush over damage it missed and erase
      what is not damage.
    </p>
  );
}
