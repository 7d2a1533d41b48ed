import type { StageMeta, StageOptions } from '../../engine/pipeline/stage.ts';
import { useId } from 'react';

/** The control every strength-driven stage offers: 0 = untouched, 100% = full effect. */
export function StrengthSlider(props: { label: string; value: number; onChange(v: number): void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="strength">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="range"
        min={0}
        max={100}
        step={5}
        value={Math.round(props.value * 100)}
        disabled={props.disabled}
        aria-valuetext={`${Math.round(props.value * 100)} percent`}
        onChange={(e) => props.onChange(Number(e.target.value) / 100)}
      />
      <output htmlFor={id}>{Math.round(props.value * 100)}%</output>
    </div>
  );
}

export interface StageOptionsProps {
  options: StageOptions;
  onChange(o: StageOptions): void;
  disabled?: boolean;
}

/** The options panel of a stage whose only control is its strength. */
export function strengthOptions(meta: StageMeta) {
  return function Options(props: StageOptionsProps) {
    return (
      <StrengthSlider
        label={`${meta.label} strength`}
        value={props.options.strength}
        disabled={props.disabled}
        onChange={(strength) => props.onChange({ ...props.options, strength })}
      />
    );
  };
}
