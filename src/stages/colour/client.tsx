import { useId } from 'react';
import { strengthOptions, type StageOptionsProps } from '../../app/components/StrengthSlider.tsx';
import { meta } from './meta.ts';

const Strength = strengthOptions(meta);

/**
 * This stage's options in the restore panel: its strength, and the explicit choice to make a toned
 * print (sepia, cyanotype...) neutral grey. By default the tone is kept as part of the original.
 */
export function Options(props: StageOptionsProps) {
  const id = useId();
  return (
    <>
      <Strength {...props} />
      <div className="option-check">
        <input
          id={id}
          type="checkbox"
          name="colour-neutralise"
          checked={!!props.options.neutralise}
          disabled={props.disabled}
          onChange={(e) => props.onChange({ ...props.options, neutralise: e.target.checked })}
        />
        <label htmlFor={id}>Make a toned print (sepia, blue) neutral grey</label>
      </div>
    </>
  );
}
