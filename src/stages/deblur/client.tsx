import { strengthOptions } from '../../app/components/StrengthSlider.tsx';
import { meta } from './meta.ts';

/** This stage's options in the restore panel: its strength. */
export const Options = strengthOptions(meta);
