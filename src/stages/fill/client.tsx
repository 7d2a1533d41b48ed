import type { StageOptionsProps } from '../../app/components/StrengthSlider.tsx';
import { onOffOption } from '../../app/components/OptionCheck.tsx';

const FollowCracks = onOffOption('followCracks', 'fill-follow-cracks', 'Follow cracks further (for a print covered in cracks; check what it marks in the review)');

/**
 * The fill has no slider: what it fills is the found damage, which the user edits with a brush in
 * the review. On a cracked print the user can ask it to follow the found cracks further; that also
 * marks some bright details, so it is never on by default.
 */
export function Options(props: StageOptionsProps) {
  return (
    <>
      <p className="hint">
        Scratches and specks are filled automatically; missing areas wait for your OK. In the review you can brush over damage it missed and erase
        what is not damage.
      </p>
      <FollowCracks {...props} />
    </>
  );
}
