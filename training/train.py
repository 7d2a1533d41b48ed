#!/usr/bin/env python3
"""Train a Heirloom restoration model.

python3 training/train.py --config training/configs/denoise.yaml [--device cuda] [--resume]
                          [--data DIR] [--val-data DIR] [--minutes N] [--run-dir DIR]
"""
import argparse
import math
import os
import sys
import time

import torch
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from heirloom_train.archs import build_arch  # noqa: E402
from heirloom_train.data.parallel import parallel_batches  # noqa: E402
from heirloom_train.tasks import build_task  # noqa: E402
from heirloom_train.utils import (JsonlLogger, count_macs_per_pixel, load_config, read_checkpoint, rng_state,  # noqa: E402
                                  save_checkpoint, set_rng_state, set_seed)


def build_model(cfg):
    a = dict(cfg['arch'])
    return build_arch(a.pop('type'), **a)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', required=True)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--data', help='training image folder (overrides config)')
    ap.add_argument('--val-data', help='validation folder (overrides config)')
    ap.add_argument('--minutes', type=float, help='wall-clock budget; cosine LR ends at the deadline')
    ap.add_argument('--steps', type=int, help='step budget (used when minutes is 0)')
    ap.add_argument('--run-dir', help='default training/runs/<name>')
    ap.add_argument('--init', help='fine-tune: start from this checkpoint\'s weights with a fresh '
                                   'optimizer and LR schedule (a warm restart)')
    ap.add_argument('--lr', type=float, help='peak learning rate (overrides config)')
    ap.add_argument('--batch', type=int, help='batch size (overrides config)')
    ap.add_argument('--workers', type=int, default=0,
                    help='build batches in this many worker processes (GPU runs, where drawing the '
                         'degradations in the main process starves the GPU); 0: in the main process')
    args = ap.parse_args()

    cfg = load_config(args.config)
    tc, dc = cfg['train'], cfg['data']
    if args.data:
        dc['train'] = args.data
    if args.val_data:
        dc['val'] = args.val_data
    if args.minutes is not None:
        tc['minutes'] = args.minutes
    if args.lr is not None:
        tc['lr'] = args.lr
    if args.batch is not None:
        dc['batch'] = args.batch
    if args.steps is not None:
        tc['total_steps'] = args.steps
        if args.minutes is None:
            tc['minutes'] = 0
    minutes = float(tc.get('minutes') or 0)
    total_steps = int(tc.get('total_steps') or 0)
    if minutes <= 0 and total_steps <= 0:
        raise SystemExit('need minutes or total_steps')

    torch.set_num_threads(int(tc.get('threads', 2)))
    set_seed(cfg.get('seed', 0))
    run_dir = args.run_dir or os.path.join(HERE, 'runs', cfg['name'])
    os.makedirs(run_dir, exist_ok=True)
    logger = JsonlLogger(os.path.join(run_dir, 'log.jsonl'))
    device = torch.device(args.device)
    if device.type == 'cuda':
        torch.backends.cudnn.benchmark = True  # fixed patch size: let cuDNN pick its fastest kernels

    net = build_model(cfg)
    params, macs = count_macs_per_pixel(net)
    net = net.to(device)
    opt = torch.optim.AdamW(net.parameters(), lr=tc['lr'], weight_decay=tc.get('weight_decay', 0.0),
                            betas=tuple(tc.get('betas', (0.9, 0.999))))
    task = build_task(cfg)
    exclude, val_imgs = task.split()
    # with --workers the batches come from the workers' own datasets: none is decoded here
    ds = task.dataset(exclude) if args.workers == 0 else None

    step, elapsed_prev, best = 0, 0.0, -math.inf
    last_path = os.path.join(run_dir, 'last.pth')
    if args.resume and os.path.exists(last_path):
        ck = read_checkpoint(last_path)
        net.load_state_dict(ck['model'])
        opt.load_state_dict(ck['optimizer'])
        step, elapsed_prev, best = ck['step'], ck['elapsed'], ck.get('best_score', ck.get('best_psnr', -math.inf))
        set_rng_state(ck['rng'], ds)
        minutes = ck.get('minutes', minutes) if args.minutes is None else minutes
        # the run's --init record lives in its checkpoints' config, not in the config file: keep it, so
        # export.lineage still counts the runs it was fine-tuned from
        if (ck.get('config') or {}).get('init'):
            cfg['init'] = ck['config']['init']
        print(f'resumed from step {step}, elapsed {elapsed_prev / 60:.1f} min', flush=True)
    elif args.init:
        ck = read_checkpoint(args.init)
        net.load_state_dict(ck['model'])
        cfg['init'] = {'checkpoint': os.path.abspath(args.init), 'steps': ck.get('step'),
                       'minutes': ck.get('elapsed', 0) / 60}
        print(f'fine-tuning from {args.init} (step {ck.get("step")})', flush=True)
    with open(os.path.join(run_dir, 'config.yaml'), 'w') as f:
        yaml.safe_dump(dict(cfg, resolved={'minutes': minutes, 'total_steps': total_steps}), f)
    print(f'model {cfg["arch"]["type"]}: {params} params, {macs:.0f} MACs/pixel; run dir {run_dir}', flush=True)
    logger.log(event='start', step=step, params=params, macs_per_pixel=macs, minutes=minutes,
               total_steps=total_steps, device=str(device), init=cfg.get('init'))

    budget_s = minutes * 60.0
    t0 = time.time() - elapsed_prev
    last_ckpt = last_val = time.time()
    val_every_s = float(tc.get('val_every_minutes', 0)) * 60
    val_every_steps = int(tc.get('val_every_steps', 0))
    ckpt_every_s = float(tc.get('ckpt_every_minutes', 5)) * 60
    lr0, lr_min, warm = tc['lr'], tc.get('lr_min', 1e-7), int(tc.get('warmup_steps', 0))
    run_loss, run_n, t_log = 0.0, 0, time.time()

    def progress():
        if budget_s > 0:
            return (time.time() - t0) / budget_s
        return step / total_steps

    def checkpoint(path, extra=None):
        save_checkpoint(path, model=net.state_dict(), optimizer=opt.state_dict(), step=step,
                        elapsed=time.time() - t0, minutes=minutes, best_score=best,
                        rng=rng_state(ds), config=cfg, params=params, macs_per_pixel=macs,
                        **(extra or {}))

    def do_val():
        nonlocal best
        if not val_imgs:
            return None
        net.eval()
        v, details = task.validate(net, val_imgs, device)
        net.train()
        logger.log(event='val', step=step, minutes=(time.time() - t0) / 60, score=v, **details)
        shown = '  '.join(f'{k} {x:.4f}' for k, x in details.items())
        print(f'[val] step {step} {(time.time() - t0) / 60:.1f} min  {shown}', flush=True)
        if v > best:
            best = v
            checkpoint(os.path.join(run_dir, 'best.pth'))
        return v

    last_v, last_v_step = None, -1
    if ds is None:  # each worker draws from its own stream, seeded by (seed, step at start, worker)
        batches = iter(parallel_batches(task, exclude, dc['batch'], args.workers,
                                        (cfg.get('seed', 0), step), pin=device.type == 'cuda'))
    net.train()
    while True:
        p = progress()
        if p >= 1.0:
            break
        lr = lr_min + 0.5 * (lr0 - lr_min) * (1 + math.cos(math.pi * min(p, 1.0)))
        if step < warm:
            lr *= (step + 1) / warm
        for g in opt.param_groups:
            g['lr'] = lr
        loss = task.loss(net, ds.batch(dc['batch']) if ds is not None else next(batches), device)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if tc.get('grad_clip'):
            torch.nn.utils.clip_grad_norm_(net.parameters(), tc['grad_clip'])
        opt.step()
        step += 1
        run_loss += loss.item()
        run_n += 1
        if step % tc.get('log_every', 50) == 0:
            dt = (time.time() - t_log) / run_n
            logger.log(event='train', step=step, loss=run_loss / run_n, lr=lr, step_ms=dt * 1000,
                       minutes=(time.time() - t0) / 60)
            print(f'step {step} loss {run_loss / run_n:.5f} lr {lr:.2e} {dt * 1000:.0f} ms/step '
                  f'{(time.time() - t0) / 60:.1f} min', flush=True)
            run_loss, run_n, t_log = 0.0, 0, time.time()
        if (val_every_s and time.time() - last_val >= val_every_s) or \
                (val_every_steps and step % val_every_steps == 0):
            last_v, last_v_step = do_val(), step
            last_val = time.time()
        if time.time() - last_ckpt >= ckpt_every_s:
            checkpoint(last_path)
            last_ckpt = time.time()

    v = last_v if last_v_step == step else do_val()
    checkpoint(last_path)
    checkpoint(os.path.join(run_dir, 'final.pth'), {'final_val_score': v})
    logger.log(event='done', step=step, minutes=(time.time() - t0) / 60, val_score=v, best_score=best)
    print(f'done: {step} steps, {(time.time() - t0) / 60:.1f} min, val score {v}', flush=True)


if __name__ == '__main__':
    main()
