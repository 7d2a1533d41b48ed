import { strengthOptions, type StageOptionsProps } from '../../app/components/StrengthSlider.tsx';
import { onOffOption } from '../../app/components/OptionCheck.tsx';
import { meta } from './meta.ts';

const Strength = strengthOptions(meta);
const Neutralise = onOffOption('neutralise', 'colour-neutralise', 'Make a toned print (sepia, blue) neutral grey');

/**
 * This stage's options in the restore panel: its strength, and the explicit choice to make a toned
 * print (sepia, cyanotype...) neutral grey. By default the tone is kept as part of the original.
 */
export function Options(props: StageOptionsProps) {
  return (
    <>
      <Strength {...props} />
      <Neutralise {...props} />
    </>
  );
}
