import { useId } from 'react';
import type { StageOptionsProps } from '../../app/components/StrengthSlider.tsx';

/**
 * The fill has no slider: what it fills is the found damage, which the user edits with a brush in
 * the review. On a cracked print the user can ask it to follow the found cracks further; that also
 * marks some bright details, so it is never on by default.
 */
export function Options(props: StageOptionsProps) {
  const id = useId();
  return (
    <>
      <p className="hint">
        Scratches and specks are filled automatically; missing areas wait for your OK. In the review you can brush over damage it missed and erase
        what is not damage.
      </p>
      <div className="option-check">
        <input
          id={id}
          type="checkbox"
          name="fill-follow-cracks"
          checked={!!props.options.followCracks}
          disabled={props.disabled}
          onChange={(e) => props.onChange({ ...props.options, followCracks: e.target.checked })}
        />
        <label htmlFor={id}>Follow cracks further (for a print covered in cracks; check what it marks in the review)</label>
      </div>
    </>
  );
}
