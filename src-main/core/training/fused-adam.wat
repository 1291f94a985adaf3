;; One Adam step over a flat float32 vector in a single pass: reads the gradient, the
;; first and second moments, the weights (and a 0/1 pruning mask), writes the new moments
;; and weights. The float32 operations and their order are those of tfjs's AdamOptimizer
;; (tfjs-core/src/optimizers/adam_optimizer.ts) followed by the trainer's mask product, so
;; the results are the same bit for bit:
;;   m' = m*b1 + g*(1-b1)
;;   v' = v*b2 + (g*g)*(1-b2)
;;   w' = ((m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps)) * (-lr) + w
;;   w' = w' * mask                      (only when mask != 0)
;; The memory is the tfjs WASM backend's own heap; every pointer is a byte offset in it.
;; Compiled into fused-adam-wasm.ts by scripts/build-fused-adam.ts.
(module
  (import "env" "memory" (memory 0))
  (func (export "adam")
    (param $g i32) (param $m i32) (param $v i32) (param $w i32) (param $mask i32)
    (param $outM i32) (param $outV i32) (param $outW i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $corr1 f32) (param $corr2 f32) (param $eps f32) (param $negLr f32)
    (local $i i32) (local $vectorEnd i32) (local $end i32)
    (local $gx v128) (local $mx v128) (local $vx v128) (local $wx v128)
    (local $b1x v128) (local $c1x v128) (local $b2x v128) (local $c2x v128)
    (local $corr1x v128) (local $corr2x v128) (local $epsx v128) (local $negLrx v128)
    (local $gs f32) (local $ms f32) (local $vs f32) (local $ws f32)
    (local.set $b1x (f32x4.splat (local.get $b1)))
    (local.set $c1x (f32x4.splat (local.get $c1)))
    (local.set $b2x (f32x4.splat (local.get $b2)))
    (local.set $c2x (f32x4.splat (local.get $c2)))
    (local.set $corr1x (f32x4.splat (local.get $corr1)))
    (local.set $corr2x (f32x4.splat (local.get $corr2)))
    (local.set $epsx (f32x4.splat (local.get $eps)))
    (local.set $negLrx (f32x4.splat (local.get $negLr)))
    ;; byte offsets: four values at a time up to the last whole group of four, then one by one
    (local.set $vectorEnd (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (local.set $gx (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $mx
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $b1x))
            (f32x4.mul (local.get $gx) (local.get $c1x))))
        (local.set $vx
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $b2x))
            (f32x4.mul (f32x4.mul (local.get $gx) (local.get $gx)) (local.get $c2x))))
        (v128.store (i32.add (local.get $outM) (local.get $i)) (local.get $mx))
        (v128.store (i32.add (local.get $outV) (local.get $i)) (local.get $vx))
        (local.set $wx
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mx) (local.get $corr1x))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vx) (local.get $corr2x))) (local.get $epsx)))
              (local.get $negLrx))
            (v128.load (i32.add (local.get $w) (local.get $i)))))
        (if (local.get $mask)
          (then
            (local.set $wx (f32x4.mul (local.get $wx) (v128.load (i32.add (local.get $mask) (local.get $i)))))))
        (v128.store (i32.add (local.get $outW) (local.get $i)) (local.get $wx))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vectors)))
    (block $scalarsDone
      (loop $scalars
        (br_if $scalarsDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $ms
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $vs
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $outM) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $outV) (local.get $i)) (local.get $vs))
        (local.set $ws
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $corr1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $corr2))) (local.get $eps)))
              (local.get $negLr))
            (f32.load (i32.add (local.get $w) (local.get $i)))))
        (if (local.get $mask)
          (then
            (local.set $ws (f32.mul (local.get $ws) (f32.load (i32.add (local.get $mask) (local.get $i)))))))
        (f32.store (i32.add (local.get $outW) (local.get $i)) (local.get $ws))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalars)))))
