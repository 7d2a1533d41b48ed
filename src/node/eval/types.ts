import type { PlanarImage } from '../../engine/image.ts';
import type { RestorationService } from '../../engine/service/restoration-service.ts';

/** One way of restoring a degraded image: the shipped model or a classical baseline. */
export interface EvalMethod {
  name: string;
  restore(degraded: PlanarImage, clean: PlanarImage): Promise<PlanarImage>;
}

export interface EvalTaskOptions {
  sigma: number;
  seed: number;
  protocol: string;
  service: RestorationService;
}

/** A task: its synthetic degradation (deterministic per seed and image index) and its methods. */
export interface EvalTask {
  name: string;
  /** Human-readable description of the exact degradation, printed with the results. */
  describe(opts: EvalTaskOptions): string;
  degrade(clean: PlanarImage, imageIndex: number, opts: EvalTaskOptions): Promise<PlanarImage>;
  methods(opts: EvalTaskOptions): Promise<EvalMethod[]>;
}

/** The flags `npm run eval` parses; each command reads the ones it needs. */
export interface EvalArgs {
  data?: string;
  sigma?: string;
  seed?: string;
  limit?: string;
  protocol?: string;
  precision?: string;
  methods?: string;
  json?: boolean;
  out?: string;
  masks?: string;
}

/** One `npm run eval -- --task <task>`: a stage's evaluation (its folder's eval.ts), or the real-photo bench. */
export interface EvalCommand {
  task: string;
  /** What it reads and prints, for the help text. */
  usage: string;
  run(args: EvalArgs, service: RestorationService): Promise<void>;
}
