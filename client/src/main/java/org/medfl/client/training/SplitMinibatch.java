package org.medfl.client.training;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.common.model.Network;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Takes each optimiser step of one network on several cores: the minibatch is cut into one contiguous chunk per
 * thread; replicas that share the network's parameters compute the gradients of the other chunks on worker threads
 * while the network fits the first chunk; their sum becomes the step's gradient before the optimiser sees it.
 *
 * <p>Why: on a small CNN, DL4J M2.1 gains almost nothing from a second thread inside each operation (measured 707
 * images/s with two threads against 737 with one, see BENCHMARKS.md), while two single-threaded halves of the
 * minibatch run side by side. The step is the same step: DL4J sums the loss's gradient over the minibatch and its
 * updater divides by the minibatch size, so the sum of the chunks' gradients scaled by (first chunk / minibatch)
 * and then divided by the first chunk's size is the whole minibatch's mean gradient. Only the order of
 * floating-point additions differs, so results are reproducible for a given thread count but not bit-identical
 * across thread counts. Not for batch normalisation, whose statistics would be per chunk instead of per minibatch.
 *
 * <p>Attach it before any other listener that changes the gradient (FedProx's {@link ProximalTerm}), so those see
 * the whole minibatch's gradient. The workers run their native operations single-threaded; the calling thread's
 * own threading is its owner's to set ({@link LocalTrainer} does, with
 * {@link NativeAcceleration#runOperationsOnCallingThread}).
 */
final class SplitMinibatch extends BaseTrainingListener {

  private final Network net;
  private final List<Network> replicas = new ArrayList<>();
  /** One single-thread executor per replica, so a replica always runs on its own thread and random stream. */
  private final List<ExecutorService> workers = new ArrayList<>();
  private final List<Future<Double>> pending = new ArrayList<>();
  private final List<Integer> pendingSizes = new ArrayList<>();
  private int firstChunk;
  private int minibatch;
  private double replicaLossSum;
  private double score;

  private SplitMinibatch(Network net, int threads) {
    this.net = net;
    for (int i = 1; i < threads; i++) {
      replicas.add(net.parameterSharingReplica());
      String name = "medfl-train-" + i;
      var worker = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
      });
      // Idle workers exit between rounds; each round's seed() starts them again.
      worker.allowCoreThreadTimeOut(true);
      workers.add(worker);
    }
  }

  /**
   * Splits {@code net}'s minibatches across {@code threads} threads (this one and threads - 1 workers).
   *
   * @throws IllegalArgumentException if threads is below 2, or the network has batch normalisation
   */
  static SplitMinibatch attach(Network net, int threads) {
    if (threads < 2) {
      throw new IllegalArgumentException("splitting a minibatch needs 2 threads or more, got " + threads);
    }
    if (net.hasBatchNormalization()) {
      throw new IllegalArgumentException("batch normalisation needs the whole minibatch in one forward pass");
    }
    var split = new SplitMinibatch(net, threads);
    net.addListeners(split);
    return split;
  }

  /** Threads that share each step, this one included. */
  int threads() {
    return replicas.size() + 1;
  }

  /** Seeds each worker's random stream (dropout) with {@code seed + worker number}, for reproducible rounds. */
  void seed(long seed) {
    for (int i = 0; i < workers.size(); i++) {
      long workerSeed = seed + i + 1;
      await(workers.get(i).submit(() -> {
        Nd4j.getRandom().setSeed(workerSeed);
        return 0.0;
      }));
    }
  }

  /** One optimiser step on the minibatch {@code features}/{@code labels} (rows are examples), split across threads. */
  void fit(INDArray features, INDArray labels) {
    int n = Math.toIntExact(features.size(0));
    int parts = Math.min(threads(), n);
    if (parts == 1) {
      net.fit(features, labels);
      score = net.score();
      return;
    }
    minibatch = n;
    replicaLossSum = 0;
    int from = 0;
    for (int part = 0; part < parts; part++) {
      // Sizes differ by at most one; the first chunk, this thread's, gets any extra example.
      int size = n / parts + (part < n % parts ? 1 : 0);
      INDArray x = rows(features, from, from + size);
      INDArray y = rows(labels, from, from + size);
      if (part == 0) {
        firstChunk = size;
      } else {
        Network replica = replicas.get(part - 1);
        pending.add(workers.get(part - 1).submit(() -> {
          NativeAcceleration.runOperationsOnCallingThread();
          replica.computeGradient(x, y);
          return replica.score();
        }));
        pendingSizes.add(size);
      }
      from += size;
    }
    net.fit(rows(features, 0, firstChunk), rows(labels, 0, firstChunk));
    if (!pending.isEmpty()) {
      // DL4J skipped the gradient callback (it does for a network without parameters); do not leave work behind.
      pending.forEach(SplitMinibatch::await);
      pending.clear();
      pendingSizes.clear();
      throw new IllegalStateException("DL4J did not report the first chunk's gradient; the step was not split");
    }
    score = (net.score() * firstChunk + replicaLossSum) / minibatch;
  }

  /** Mean loss of the last minibatch fitted, over all its chunks. */
  double score() {
    return score;
  }

  /** Adds the other chunks' gradients to the first chunk's, scaled so that DL4J's division gives the mean. */
  @Override
  public void onGradientCalculation(Model model) {
    if (pending.isEmpty()) {
      return;
    }
    INDArray gradient = model.gradient().gradient();
    for (int i = 0; i < pending.size(); i++) {
      replicaLossSum += await(pending.get(i)) * pendingSizes.get(i);
      gradient.addi(replicas.get(i).gradient());
    }
    pending.clear();
    pendingSizes.clear();
    // DL4J's updater divides by the minibatch size it saw, the first chunk's.
    gradient.muli((double) firstChunk / minibatch);
  }

  private static INDArray rows(INDArray a, int from, int to) {
    INDArrayIndex[] index = new INDArrayIndex[a.rank()];
    index[0] = NDArrayIndex.interval(from, to);
    for (int d = 1; d < index.length; d++) {
      index[d] = NDArrayIndex.all();
    }
    return a.get(index);
  }

  private static double await(Future<Double> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a worker computed its part of the minibatch", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a worker failed on its part of the minibatch: " + e.getCause(), e.getCause());
    }
  }
}
