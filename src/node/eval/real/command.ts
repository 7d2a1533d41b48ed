import { UsageError } from '../../cli/setup.ts';
import type { RestorationService } from '../../../engine/service/restoration-service.ts';
import type { EvalCommand } from '../types.ts';
import { formatRow, runRealBench } from './real-bench.ts';

async function realEval(
  values: { data?: string; out?: string; masks?: string; limit?: string; json?: boolean; precision?: string; 'follow-cracks'?: boolean },
  service: RestorationService,
) {
  if (!values.data || !values.out) throw new UsageError('--task real needs --data <folder of photos> and --out <folder for the contact sheets>');
  const follow = values['follow-cracks'] ? '; the fill follows cracks further' : '';
  console.log(`# real-photo bench on ${values.data}: runtime ${service.runtime.info.runtime} (${service.runtime.info.backend}), precision ${values.precision ?? 'default'}${follow}; sheets in ${values.out}`);
  const { summary } = await runRealBench(service, {
    data: values.data,
    out: values.out,
    masks: values.masks,
    limit: values.limit ? Number(values.limit) : undefined,
    followCracks: values['follow-cracks'],
    onRow: (r) => console.log(formatRow(r)),
  });
  console.log(`# ${summary.harmed} of ${summary.photos} photos harmed${summary.harmed ? `: ${summary.harmedPhotos.join(', ')}` : ''}`);
  console.log(JSON.stringify({ task: 'real', data: values.data, precision: values.precision ?? 'default', followCracks: !!values['follow-cracks'], ...summary }));
}

/** The real-photo bench: the automatic path on real scans, contact sheets, do-no-harm flags. */
export const realEvalCommand: EvalCommand = {
  task: 'real',
  usage: '--task real --data <folder of real photos> --out <folder for sheets> [--masks DIR] [--limit N] [--follow-cracks] [--json]',
  run: realEval,
};
