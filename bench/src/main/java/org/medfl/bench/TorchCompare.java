package org.medfl.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.medfl.client.data.FashionMnist;
import org.medfl.client.data.LabeledImages;
import org.medfl.client.training.LocalTrainer;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.job.OptimizerSpec;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.common.model.Network;
import org.medfl.common.model.Parameters;
import org.medfl.common.model.PytorchBiasInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The DL4J half of {@code bench/run torch-compare}: one epoch of cnn-fedavg on Fashion-MNIST (Debian's package),
 * batch 64, Adam 0.001, timed, then accuracy on the official 10,000 test images. bench/src/main/python/
 * cnn_fedavg_torch.py is the PyTorch half; bench/run runs both and prints the ratio. A main, not a test.
 *
 * <p>Arguments: training images (60000, the first N), then variants, each run in turn in this JVM:
 * <ul>
 *   <li>{@code trainer[:threads=N]}: the production path, {@link LocalTrainer#train} (pullRows per batch, validation
 *       off); without the knob one network on ND4J's own threading, with it N threads that split each minibatch
 *       and run single-threaded native operations (N = 1: one thread in all); {@code helpers=0} turns oneDNN off
 *       (DL4J's and libnd4j's own convolutions) for that variant;</li>
 *   <li>{@code samediff}: the same network as a SameDiff graph ({@link SameDiffCnn}), batches sliced beforehand;</li>
 *   <li>{@code direct[:key=value,...]}: a plain {@code MultiLayerNetwork.fit} loop over a replica of cnn-fedavg
 *       with knobs for the experiments: {@code batch=64}, {@code init=dl4j|torch} (dl4j: ModelZoo's He normal and
 *       Xavier output, zero biases; torch: PyTorch's defaults, U(+-1/sqrt(fan_in)) for weights and biases),
 *       {@code format=nchw|nhwc}, {@code ws=enabled|none} (training workspace mode), {@code eps=1e-8} (Adam
 *       epsilon), {@code pre=0|1} (1: minibatches sliced before the clock starts, to price the data pipeline), {@code cache=none|device|host}
 *       (DL4J CacheMode, whether layers keep forward results for backprop), {@code trace=1} (ms per batch),
 *       {@code dtype=float|half|bfloat16} (the network's data type; DL4J refuses bfloat16).</li>
 * </ul>
 * Prints one line per variant: {@code dl4j VARIANT: N images/s, ... test accuracy A}.
 */
public final class TorchCompare {

  private static final long SEED = 42;

  private TorchCompare() {}

  /** Runs each variant named in {@code args} (default: trainer) and prints its throughput and test accuracy. */
  public static void main(String[] args) {
    NativeAcceleration.enable();
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
    List<String> variants = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("trainer");
    LabeledImages train = images(FashionMnist.train(FashionMnist.DEBIAN_DIR), images);
    LabeledImages test = images(FashionMnist.test(FashionMnist.DEBIAN_DIR), Integer.MAX_VALUE);
    System.out.println("# " + NativeAcceleration.describe() + ", " + train.size() + " training images");
    for (String variant : variants) {
      if (variant.startsWith("trainer")) {
        trainer(variant, options(variant), train, test);
      } else if (variant.equals("samediff")) {
        samediff(train, test);
      } else if (variant.startsWith("direct")) {
        direct(variant, options(variant), train, test);
      } else {
        throw new IllegalArgumentException(
            "unknown variant '" + variant + "'; use trainer, samediff or direct[:k=v,...]");
      }
    }
  }

  private static void trainer(String name, Map<String, String> o, LabeledImages train, LabeledImages test) {
    JobSpec spec = spec(64);
    // helpers=0: DL4J's and libnd4j's own im2col/gemm convolutions instead of oneDNN, for this variant only.
    boolean helpers = !o.getOrDefault("helpers", "1").equals("0");
    Nd4j.getEnvironment().allowHelpers(helpers);
    // Without the knob, one network on ND4J's own threading; with it, LocalTrainer's own threads (split steps).
    java.util.function.Function<LabeledImages, LocalTrainer> create = o.containsKey("threads")
        ? data -> new LocalTrainer(spec, data, Integer.parseInt(o.get("threads")))
        : data -> new LocalTrainer(spec, data);
    // Warm-up on a throwaway trainer (JIT, oneDNN primitives, workspaces); the timed one starts cold-free.
    create.apply(images(train, 640)).train(Parameters.copyOut(ModelZoo.build(spec), null), 0, null);
    var trainer = create.apply(train);
    float[] global = Parameters.copyOut(ModelZoo.build(spec), null);
    var result = trainer.train(global, 1, null);
    float[] delta = result.delta();
    float[] local = new float[global.length];
    for (int i = 0; i < local.length; i++) {
      local[i] = global[i] + delta[i];
    }
    MultiLayerNetwork net = ModelZoo.build(spec);
    Parameters.copyIn(net, local);
    report(name, trainer.trainSize(), result.seconds(), accuracy(net, test, false));
    Nd4j.getEnvironment().allowHelpers(true);
  }

  /** cnn-fedavg as a SameDiff graph, minibatches sliced before the clock (compare with direct:pre=1). */
  private static void samediff(LabeledImages train, LabeledImages test) {
    int n = train.size();
    List<INDArray[]> batches = new ArrayList<>();
    INDArray flat = train.features().reshape('c', n, 28 * 28);
    INDArray y = oneHot(train.labels(), 10);
    int[] order = shuffledOrder(n);
    for (int from = 0; from < n; from += 64) {
      int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + 64));
      batches.add(new INDArray[] {input(Nd4j.pullRows(flat, 1, rows), false), Nd4j.pullRows(y, 1, rows)});
    }
    new SameDiffCnn(SEED).fitEpoch(batches.subList(0, Math.min(10, batches.size()))); // warm-up, thrown away
    SameDiffCnn net = new SameDiffCnn(SEED);
    long start = System.nanoTime();
    net.fitEpoch(batches);
    double seconds = (System.nanoTime() - start) / 1e9;
    report("samediff", n, seconds, accuracy(net::output, test, false));
  }

  private static void direct(String name, Map<String, String> o, LabeledImages train, LabeledImages test) {
    int batch = Integer.parseInt(o.getOrDefault("batch", "64"));
    boolean nhwc = o.getOrDefault("format", "nchw").equals("nhwc");
    boolean torchInit = o.getOrDefault("init", "dl4j").equals("torch");
    boolean presliced = o.getOrDefault("pre", "0").equals("1");
    DataType dtype = dataType(o);
    // Warm-up on a throwaway network with the same configuration.
    MultiLayerNetwork warm = replica(o);
    INDArray wx = input(train.features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, batch)), nhwc);
    INDArray wy = oneHot(Arrays.copyOf(train.labels(), batch), 10);
    for (int i = 0; i < 10; i++) {
      warm.fit(wx.castTo(dtype), wy.castTo(dtype));
    }
    MultiLayerNetwork net = replica(o);
    if (torchInit) {
      // PyTorch's bias default, U(+-1/sqrt(fan_in)); the weights already come from WeightInit.UNIFORM (the same law).
      PytorchBiasInit.apply(Network.of(net), SEED);
    } else if (!nhwc && dtype == DataType.FLOAT) {
      // The replica must be ModelZoo's network: same parameter count and the same seeded initial weights.
      float[] zoo = Parameters.copyOut(ModelZoo.build(spec(batch)), null);
      if (!Arrays.equals(zoo, Parameters.copyOut(net, null))) {
        throw new IllegalStateException("replica differs from ModelZoo's cnn-fedavg");
      }
    }
    int n = train.size();
    INDArray flat = train.features().reshape('c', n, 28 * 28);
    INDArray y = oneHot(train.labels(), 10);
    int[] order = shuffledOrder(n);
    List<INDArray[]> batches = new ArrayList<>();
    if (presliced) {
      for (int from = 0; from < n; from += batch) {
        int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + batch));
        batches.add(new INDArray[] {input(Nd4j.pullRows(flat, 1, rows), nhwc), Nd4j.pullRows(y, 1, rows)});
      }
    }
    boolean trace = o.getOrDefault("trace", "0").equals("1");
    long start = System.nanoTime();
    long lap = start;
    for (int from = 0, b = 0; from < n; from += batch, b++) {
      if (trace && b % 10 == 0) {
        long now = System.nanoTime();
        System.out.printf("  batch %d: %.1f ms/batch, denormal params %d, denormal updater state %d%n", b,
            (now - lap) / 1e6 / 10, denormals(net.params()), denormals(net.getUpdater().getStateViewArray()));
        lap = System.nanoTime();
      }
      if (presliced) {
        net.fit(batches.get(b)[0].castTo(dtype), batches.get(b)[1].castTo(dtype));
      } else {
        int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + batch));
        net.fit(input(Nd4j.pullRows(flat, 1, rows), nhwc).castTo(dtype), Nd4j.pullRows(y, 1, rows).castTo(dtype));
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    report(name, n, seconds, accuracy(net, test, nhwc));
  }

  /**
   * cnn-fedavg as SequentialCnns builds it (same layers, seed, updater and initialisation), with the experiment's
   * knobs; with every knob at its default it equals ModelZoo's network, which {@link #direct} checks.
   */
  private static MultiLayerNetwork replica(Map<String, String> o) {
    CNN2DFormat format = o.getOrDefault("format", "nchw").equals("nhwc") ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
    boolean torchInit = o.getOrDefault("init", "dl4j").equals("torch");
    WorkspaceMode ws = o.getOrDefault("ws", "enabled").equals("none") ? WorkspaceMode.NONE : WorkspaceMode.ENABLED;
    var adam = new Adam(0.001);
    adam.setEpsilon(Double.parseDouble(o.getOrDefault("eps", "1e-8")));
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(SEED)
        .dataType(dataType(o))
        .updater(adam)
        .weightInit(torchInit ? WeightInit.UNIFORM : WeightInit.RELU)
        .trainingWorkspaceMode(ws)
        .inferenceWorkspaceMode(ws)
        .cacheMode(CacheMode.valueOf(o.getOrDefault("cache", "none").toUpperCase(java.util.Locale.ROOT)))
        .convolutionMode(ConvolutionMode.Same)
        .list()
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(32).stride(1, 1).activation(Activation.RELU)
            .dataFormat(format).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
            .dataFormat(format).build())
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(64).stride(1, 1).activation(Activation.RELU)
            .dataFormat(format).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
            .dataFormat(format).build())
        .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX)
            .weightInit(torchInit ? WeightInit.UNIFORM : WeightInit.XAVIER).build())
        .setInputType(InputType.convolutional(28, 28, 1, format))
        .build();
    var net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** The network's data type from the {@code dtype} knob: float (default), half or bfloat16. */
  private static DataType dataType(Map<String, String> o) {
    return switch (o.getOrDefault("dtype", "float")) {
      case "half" -> DataType.HALF;
      case "bfloat16" -> DataType.BFLOAT16;
      default -> DataType.FLOAT;
    };
  }

  /** How many values are subnormal floats (0 < |x| < 2^-126), which x86 computes on a slow path. */
  private static long denormals(INDArray a) {
    long count = 0;
    for (float f : a.toFloatVector()) {
      float abs = Math.abs(f);
      count += abs > 0 && abs < Float.MIN_NORMAL ? 1 : 0;
    }
    return count;
  }

  private static INDArray input(INDArray rows, boolean nhwc) {
    long n = rows.size(0);
    // One channel: NCHW and NHWC hold the same bytes, only the shape differs.
    return nhwc ? rows.reshape('c', n, 28, 28, 1) : rows.reshape('c', n, 1, 28, 28);
  }

  private static double accuracy(MultiLayerNetwork net, LabeledImages test, boolean nhwc) {
    return accuracy(x -> net.output(x.castTo(net.params().dataType()), false), test, nhwc);
  }

  /** Share of the test images whose highest class probability under {@code probabilities} is the true label. */
  private static double accuracy(java.util.function.UnaryOperator<INDArray> probabilities, LabeledImages test,
      boolean nhwc) {
    int n = test.size();
    INDArray flat = test.features().reshape('c', n, 28 * 28);
    int correct = 0;
    for (int from = 0; from < n; from += 512) {
      int to = Math.min(n, from + 512);
      INDArray x = input(flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
          org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c'), nhwc);
      INDArray predicted = probabilities.apply(x).argMax(1);
      for (int i = from; i < to; i++) {
        correct += predicted.getInt(i - from) == test.labels()[i] ? 1 : 0;
      }
    }
    return correct / (double) n;
  }

  private static void report(String variant, int images, double seconds, double accuracy) {
    System.out.printf("dl4j %s: %.0f images/s, %d images in %.2f s, test accuracy %.4f%n", variant,
        images / seconds, images, seconds, accuracy);
  }

  private static JobSpec spec(int batch) {
    return new JobSpec("torch-compare", ModelSpec.of(ModelZoo.CNN_FEDAVG), FashionMnist.CLASSES, 1, 1, 1.0, 1, batch,
        new OptimizerSpec("adam", 0.001), 3600, SEED, "fedavg", 0.0, List.of());
  }

  private static Map<String, String> options(String variant) {
    Map<String, String> o = new LinkedHashMap<>();
    int colon = variant.indexOf(':');
    if (colon >= 0) {
      for (String kv : variant.substring(colon + 1).split(",")) {
        String[] parts = kv.split("=", 2);
        o.put(parts[0], parts[1]);
      }
    }
    return o;
  }

  /** The first {@code limit} images, pixels / 255, as LabeledImages [N, 1, 28, 28]. */
  private static LabeledImages images(FashionMnist.Split split, int limit) {
    int n = Math.min(limit, split.size());
    int pixels = split.rows() * split.cols();
    float[] values = new float[n * pixels];
    for (int i = 0; i < n; i++) {
      byte[] image = split.pixels()[i];
      for (int p = 0; p < pixels; p++) {
        values[i * pixels + p] = (image[p] & 0xff) / 255f;
      }
    }
    INDArray features = Nd4j.create(values, new long[] {n, 1, split.rows(), split.cols()}, DataType.FLOAT);
    return new LabeledImages(features, Arrays.copyOf(split.labels(), n), FashionMnist.CLASSES,
        java.util.Collections.nCopies(n, null));
  }

  private static LabeledImages images(LabeledImages all, int limit) {
    int n = Math.min(limit, all.size());
    INDArray x = all.features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)).dup('c');
    return new LabeledImages(x, Arrays.copyOf(all.labels(), n), all.classes(),
        java.util.Collections.nCopies(n, null));
  }

  /** 0..n-1 in the seeded order both sides of the comparison train in. */
  private static int[] shuffledOrder(int n) {
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    Random rnd = new Random(SEED);
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private static INDArray oneHot(int[] labels, int classes) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
    for (int r = 0; r < labels.length; r++) {
      y.putScalar(r, labels[r], 1f);
    }
    return y;
  }
}
