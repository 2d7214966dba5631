package org.medfl.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.medfl.client.data.FashionMnist;
import org.medfl.common.job.JobSpec;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.model.NativeAcceleration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DL4J half of {@code bench/run recipe-check}: cnn-niid built by {@link ModelZoo} exactly as a NIID-Bench job
 * builds it (PyTorch's initialisation, heavy-ball momentum 0.9 at lr 0.01, L2 1e-5, batch 64), trained for one
 * pass over the first N Fashion-MNIST training images in file order, one {@code fit} per minibatch. It writes the
 * initial and final parameters and the loss of every step, so bench/src/main/python/recipe_check_torch.py can
 * replay the same steps in PyTorch from the same weights and say how far apart the two end. A main, not a test.
 *
 * <p>Arguments: OUT_DIR, then optionally the number of images (default 6400), the seed (default 42) and the bias
 * decay {@code model.l2_biases} (default 0; 0.00001 decays every parameter as PyTorch's weight_decay does). Writes
 * OUT_DIR/params.txt (one line per parameter: DL4J key, PyTorch-layout shape), OUT_DIR/{init,final}-KEY.f32 (float32
 * little endian in PyTorch's layout: conv [out, in, kh, kw], dense [out, in], bias [out]) and OUT_DIR/losses.txt.
 */
public final class RecipeCheck {

  private static final int BATCH = 64;

  private RecipeCheck() {}

  /** Trains one pass and writes the files described above. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 4) {
      System.err.println("usage: RecipeCheck OUT_DIR [IMAGES [SEED [L2_BIASES]]]");
      System.exit(2);
    }
    NativeAcceleration.enable();
    Path out = Files.createDirectories(Path.of(args[0]));
    int images = args.length > 1 ? Integer.parseInt(args[1]) : 6400;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
    String l2Biases = args.length > 3 ? args[3] : "0";
    MultiLayerNetwork net = ModelZoo.build(JobSpec.parse(specYaml(seed, l2Biases)));
    List<String> keys = new ArrayList<>(net.paramTable().keySet());
    write(out, "init", net.paramTable(), keys);

    FashionMnist.Split train = FashionMnist.train(FashionMnist.DEBIAN_DIR);
    int n = Math.min(images, train.size());
    var losses = new StringBuilder();
    for (int from = 0; from < n; from += BATCH) {
      int to = Math.min(n, from + BATCH);
      net.fit(features(train, from, to), oneHot(train, from, to));
      losses.append(net.score()).append('\n');
    }
    write(out, "final", net.paramTable(), keys);
    Files.writeString(out.resolve("losses.txt"), losses);
    var shapes = new StringBuilder();
    for (String key : keys) {
      shapes.append(key).append(' ').append(Arrays.toString(torchShape(net.paramTable().get(key), key))
          .replaceAll("[\\[\\] ]", "")).append('\n');
    }
    Files.writeString(out.resolve("params.txt"), shapes);
    System.out.printf("dl4j: %d steps over %d images, first loss %s, last loss %s; parameters in %s%n",
        (n + BATCH - 1) / BATCH, n, losses.toString().lines().findFirst().orElse("-"),
        losses.toString().lines().reduce((a, b) -> b).orElse("-"), out);
  }

  private static String specYaml(long seed, String l2Biases) {
    return String.join("\n",
        "name: recipe-check",
        "model: {name: cnn-niid, input: {width: 28, height: 28, channels: 1}, l2: 0.00001, l2_biases: " + l2Biases
            + ", weight_init: pytorch}",
        "classes: [" + String.join(", ", FashionMnist.CLASSES) + "]",
        "rounds: 1",
        "min_sites: 1",
        "local_epochs: 1",
        "batch_size: " + BATCH,
        "optimizer: {name: momentum, learning_rate: 0.01}",
        "seed: " + seed,
        "");
  }

  /** Every parameter in PyTorch's layout: DL4J keeps dense weights as [in, out], PyTorch as [out, in]. */
  private static void write(Path out, String prefix, Map<String, INDArray> params, List<String> keys)
      throws IOException {
    for (String key : keys) {
      INDArray p = params.get(key);
      INDArray torch = key.endsWith("_W") && p.rank() == 2 ? p.transpose() : p;
      float[] values = torch.dup('c').data().asFloat();
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        b.putFloat(v);
      }
      Files.write(out.resolve(prefix + "-" + key + ".f32"), b.array());
    }
  }

  private static long[] torchShape(INDArray p, String key) {
    if (key.endsWith("_b")) {
      return new long[] {p.length()};
    }
    return p.rank() == 2 ? new long[] {p.size(1), p.size(0)} : p.shape();
  }

  private static INDArray features(FashionMnist.Split split, int from, int to) {
    int pixels = split.rows() * split.cols();
    float[] values = new float[(to - from) * pixels];
    for (int i = from; i < to; i++) {
      byte[] image = split.pixels()[i];
      for (int p = 0; p < pixels; p++) {
        values[(i - from) * pixels + p] = (image[p] & 0xff) / 255f;
      }
    }
    return Nd4j.create(values, new long[] {to - from, 1, split.rows(), split.cols()}, DataType.FLOAT);
  }

  private static INDArray oneHot(FashionMnist.Split split, int from, int to) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, to - from, FashionMnist.CLASSES.size());
    for (int i = from; i < to; i++) {
      y.putScalar(i - from, split.labels()[i], 1f);
    }
    return y;
  }
}
