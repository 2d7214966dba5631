package org.medfl.client.training;

import java.util.Arrays;
import java.util.Random;
import java.util.function.IntConsumer;
import org.medfl.client.data.LabeledImages;
import org.medfl.client.preprocess.Augmenter;
import org.medfl.client.preprocess.ClassBalance;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.metrics.EvaluationMetrics;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.common.model.Network;
import org.medfl.common.model.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains one job's network on a site's images, one federated round at a time: start from the global
 * parameters, run the job's local epochs, return the change. Pure local computation; it sends nothing.
 * The network is built once and reused across rounds. Not thread-safe: one round at a time.
 */
public final class LocalTrainer {

  /** Images per forward pass when measuring accuracy; bounds memory, does not change results. */
  private static final int EVAL_BATCH = 128;

  private final JobSpec spec;
  private final Network net;
  /** The thread count the trainer was given, whose native threading it then sets; 0 leaves ND4J's alone. */
  private final int ownedThreads;
  /** Splits each minibatch across threads; null when training on one thread. */
  private final SplitMinibatch split;
  /** FedProx's term for strategy fedprox, null for fedavg. */
  private final ProximalTerm proximal;
  private final long[] imageShape;
  private final INDArray trainX;
  private final INDArray trainY;
  private final INDArray valX;
  private final int[] valLabels;
  private final int[] trainLabels;
  private final Augmenter augmenter;
  private float[] local;
  private float[] delta;

  /**
   * Builds the job's network and splits {@code data} into training and validation
   * ({@code spec.validationFraction()}, seeded by {@code spec.seed()}).
   *
   * @throws IllegalArgumentException if the data's classes or image shape differ from the job's, or no image
   *     is left for training
   */
  public LocalTrainer(JobSpec spec, LabeledImages data) {
    this(spec, data, 1, 0);
  }

  /**
   * As {@link #LocalTrainer(JobSpec, LabeledImages)}, training on exactly {@code threads} threads. With 2 or more,
   * each minibatch is split into that many chunks whose gradients are computed side by side ({@link SplitMinibatch}),
   * which gives the same steps up to the order of floating-point additions; results are reproducible for a given
   * thread count. Either way the native operations run single-threaded on the training threads
   * ({@link NativeAcceleration#runOperationsOnCallingThread}), which is also what several trainers sharing one
   * machine need. Networks with batch normalisation cannot be split (their statistics would become per chunk): with
   * 2 or more threads they train as one network on ND4J's own multi-threaded operations.
   *
   * @param threads 1 or more
   */
  public LocalTrainer(JobSpec spec, LabeledImages data, int threads) {
    this(spec, data, threads, threads);
  }

  private LocalTrainer(JobSpec spec, LabeledImages data, int threads, int ownedThreads) {
    if (threads < 1) {
      throw new IllegalArgumentException("training threads must be 1 or more, got " + threads);
    }
    this.ownedThreads = ownedThreads;
    NativeAcceleration.enable();
    if (!data.classes().equals(spec.classes())) {
      throw new IllegalArgumentException("data classes " + data.classes() + " differ from job '" + spec.name()
          + "' classes " + spec.classes());
    }
    ModelSpec m = spec.model();
    imageShape = new long[] {m.channels(), m.height(), m.width()};
    long[] shape = data.features().shape();
    if (!Arrays.equals(Arrays.copyOfRange(shape, 1, 4), imageShape)) {
      throw new IllegalArgumentException("images are " + Arrays.toString(Arrays.copyOfRange(shape, 1, 4))
          + " [channels, height, width] but job '" + spec.name() + "' expects " + Arrays.toString(imageShape));
    }
    var split = ValidationSplit.of(data, spec.validationFraction(), spec.seed());
    if (split.train().length == 0) {
      throw new IllegalArgumentException("no images left for training out of " + data.size());
    }
    this.spec = spec;
    // Rows of [N, C*H*W] so a minibatch is one pullRows; reshaped back to NCHW per batch.
    INDArray flat = data.features().castTo(DataType.FLOAT).reshape('c', data.size(), m.channels() * m.height()
        * m.width());
    this.trainX = Nd4j.pullRows(flat, 1, split.train());
    this.trainY = oneHot(data.labels(), split.train(), spec.classes().size());
    this.valX = split.validation().length == 0 ? null : Nd4j.pullRows(flat, 1, split.validation());
    this.valLabels = Arrays.stream(split.validation()).map(i -> data.labels()[i]).toArray();
    this.net = ModelZoo.network(spec);
    this.trainLabels = Arrays.stream(split.train()).map(i -> data.labels()[i]).toArray();
    this.augmenter = new Augmenter(spec.augmentation(), spec.seed());
    // Order matters: the split's replicas copy the loss as configured by now, and the split must fold the other
    // chunks' gradients in before FedProx adds its term to the whole minibatch's gradient.
    if (spec.classBalance().equals("weights")) {
      ClassWeightedLoss.apply(net, ClassBalance.inverseFrequencyWeights(trainLabels, spec.classes().size()));
    }
    this.split = threads > 1 && !net.hasBatchNormalization() ? SplitMinibatch.attach(net, threads) : null;
    this.proximal = "fedprox".equals(spec.strategy()) ? ProximalTerm.attach(net, spec.proximalMu()) : null;
  }

  /**
   * One round: load {@code globalParams}, train {@code spec.localEpochs()} epochs of shuffled minibatches
   * (shuffle seeded by {@code spec.seed() * 31 + round}, optimiser state fresh each round), then measure
   * validation accuracy. The same inputs give the same result. The job's augmentation changes the training
   * batches only; with {@code class_balance: oversample} each epoch visits the oversampled order of
   * {@link ClassBalance#oversampledOrder} (the update still counts the real number of training images), with
   * {@code weights} the loss weighs classes by {@link ClassBalance#inverseFrequencyWeights}. With strategy fedprox
   * each minibatch's gradient also gets FedProx's pull towards {@code globalParams} ({@link ProximalTerm}).
   *
   * @param globalParams the round's global model, {@link ModelZoo#parameterCount} values; not modified
   * @param round round number; varies the shuffle between rounds
   * @param onEpochDone told 1, 2, ... after each local epoch, e.g. for progress; may be null
   */
  public TrainResult train(float[] globalParams, int round, IntConsumer onEpochDone) {
    long start = System.nanoTime();
    Parameters.copyIn(net, globalParams);
    if (proximal != null) {
      proximal.anchorAt(globalParams);
    }
    resetOptimizer();
    if (split != null) {
      split.seed(spec.seed() * 31 + round);
    }
    if (ownedThreads > 1 && split == null) {
      // A network that could not be split (batch norm) on a machine meant for several threads: let each op use them.
      NativeAcceleration.runOperationsOnAllThreads();
    } else if (ownedThreads > 0) {
      NativeAcceleration.runOperationsOnCallingThread();
    }
    int n = trainSize();
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    var rnd = new Random(spec.seed() * 31 + round);
    double lossSum = 0;
    int visited = n;
    for (int epoch = 1; epoch <= spec.localEpochs(); epoch++) {
      // Only the non-default paths draw differently, so class_balance "none" keeps its shuffle stream.
      int[] epochOrder = order;
      if (spec.classBalance().equals("oversample")) {
        epochOrder = ClassBalance.oversampledOrder(trainLabels, spec.classes().size(), rnd);
      } else {
        shuffle(order, rnd);
      }
      visited = epochOrder.length;
      lossSum = 0;
      for (int from = 0; from < visited; from += spec.batchSize()) {
        int[] batch = Arrays.copyOfRange(epochOrder, from, Math.min(visited, from + spec.batchSize()));
        INDArray x = Nd4j.pullRows(trainX, 1, batch).reshape('c', batch.length, imageShape[0], imageShape[1],
            imageShape[2]);
        if (!augmenter.isIdentity()) {
          x = augmenter.augmentBatch(x, round, epoch, from / spec.batchSize());
        }
        INDArray y = Nd4j.pullRows(trainY, 1, batch);
        if (split != null) {
          split.fit(x, y);
          lossSum += split.score() * batch.length;
        } else {
          net.fit(x, y);
          lossSum += net.score() * batch.length;
        }
      }
      if (onEpochDone != null) {
        onEpochDone.accept(epoch);
      }
    }
    local = Parameters.copyOut(net, local);
    if (delta == null || delta.length != local.length) {
      delta = new float[local.length];
    }
    for (int i = 0; i < local.length; i++) {
      delta[i] = local[i] - globalParams[i];
    }
    double accuracy = accuracy();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new TrainResult(delta, n, lossSum / visited, accuracy, validationSize(), seconds);
  }

  /**
   * Accuracy of {@code params} on the validation split, in [0, 1]; NaN if the split is empty.
   * Leaves {@code params} loaded in the network (the next {@link #train} replaces them anyway).
   */
  public double evaluate(float[] params) {
    Parameters.copyIn(net, params);
    return accuracy();
  }

  /**
   * Accuracy, per-class precision, recall, specificity and F1, AUC and the confusion matrix of {@code params} on
   * the validation split; {@link EvaluationMetrics#empty} if the split is empty. Leaves {@code params} loaded in
   * the network, as {@link #evaluate} does.
   */
  public EvaluationMetrics evaluateMetrics(float[] params) {
    Parameters.copyIn(net, params);
    if (valX == null) {
      return EvaluationMetrics.empty(spec.classes().size());
    }
    float[][] probabilities = new float[valLabels.length][];
    for (int from = 0; from < valLabels.length; from += EVAL_BATCH) {
      int to = Math.min(valLabels.length, from + EVAL_BATCH);
      INDArray x = valX.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
          org.nd4j.linalg.indexing.NDArrayIndex.all())
          .dup('c').reshape('c', to - from, imageShape[0], imageShape[1], imageShape[2]);
      System.arraycopy(net.output(x).toFloatMatrix(), 0, probabilities, from, to - from);
    }
    return EvaluationMetrics.of(valLabels, probabilities);
  }

  /** Images used for training each round. */
  public int trainSize() {
    return (int) trainX.size(0);
  }

  /** Images held out for validation. */
  public int validationSize() {
    return valLabels.length;
  }

  /** Threads that share each optimiser step: 1, or the thread count asked for when the network can be split. */
  public int threads() {
    return split == null ? 1 : split.threads();
  }

  /** Length of the parameter vectors {@link #train} and {@link #evaluate} take. */
  public long parameterCount() {
    return net.numParams();
  }

  private double accuracy() {
    if (valX == null) {
      return Double.NaN;
    }
    int correct = 0;
    for (int from = 0; from < valLabels.length; from += EVAL_BATCH) {
      int to = Math.min(valLabels.length, from + EVAL_BATCH);
      INDArray x = valX.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
          org.nd4j.linalg.indexing.NDArrayIndex.all())
          .dup('c').reshape('c', to - from, imageShape[0], imageShape[1], imageShape[2]);
      INDArray predicted = net.output(x).argMax(1);
      for (int i = from; i < to; i++) {
        correct += predicted.getInt(i - from) == valLabels[i] ? 1 : 0;
      }
    }
    return correct / (double) valLabels.length;
  }

  /** Each round starts from fresh Adam/momentum state, as a new optimiser would: results depend only on inputs. */
  private void resetOptimizer() {
    net.resetOptimizer();
  }

  private static INDArray oneHot(int[] labels, int[] rows, int classes) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows.length, classes);
    for (int r = 0; r < rows.length; r++) {
      y.putScalar(r, labels[rows[r]], 1f);
    }
    return y;
  }

  private static void shuffle(int[] a, Random rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
