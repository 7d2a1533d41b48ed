import { useId } from 'react';
import type { StageOptions } from '../../engine/pipeline/stage.ts';
import type { StageOptionsProps } from './StrengthSlider.tsx';

type OnOffOption = { [K in keyof StageOptions]-?: boolean extends StageOptions[K] ? K : never }[keyof StageOptions];

/** The control for a stage option that is on or off: a checkbox named `name`, with its label. */
export function onOffOption(key: OnOffOption, name: string, label: string) {
  return function OptionCheck(props: StageOptionsProps) {
    const id = useId();
    return (
      <div className="option-check">
        <input
          id={id}
          type="checkbox"
          name={name}
          checked={!!props.options[key]}
          disabled={props.disabled}
          onChange={(e) => props.onChange({ ...props.options, [key]: e.target.checked })}
        />
        <label htmlFor={id}>{label}</label>
      </div>
    );
  };
}
