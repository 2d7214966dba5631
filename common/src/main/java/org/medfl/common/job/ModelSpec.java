package org.medfl.common.job;

import java.util.List;
import java.util.Objects;
import org.medfl.common.model.ModelZoo;

/**
 * Which architecture a job trains and the image shape it takes.
 *
 * @param name a {@link ModelZoo} name such as "cnn-fedavg"
 * @param width input width in pixels, 8..512, and within the model's own range
 *     ({@link ModelZoo#minInputPixels}, {@link ModelZoo#maxInputPixels}; resnet-small takes 64..224)
 * @param height input height in pixels, as width
 * @param channels 1 (grayscale) or 3 (RGB)
 * @param dropout dropout probability on the dense layers, in [0, 1)
 * @param l2 L2 weight decay on the weights (kernels), 0 or more
 * @param pretrained start from this model file, or null for a fresh initialisation; it freezes fewer layers than
 *     the model has ({@link ModelZoo#layerCount})
 * @param weightInit how fresh weights are drawn: {@value #INIT_HE} (He-normal hidden layers, Xavier output layer,
 *     zero biases) or {@value #INIT_PYTORCH} (PyTorch's default for Conv2d and Linear: weights and biases uniform in
 *     +-1/sqrt(fan_in)), for reproducing results published with PyTorch
 * @param l2Biases L2 weight decay on the biases, 0 or more; 0 (the default) leaves biases alone as Keras and DL4J
 *     do, equal to {@code l2} decays every parameter as PyTorch's {@code weight_decay} does
 */
public record ModelSpec(String name, int width, int height, int channels, double dropout, double l2,
    PretrainedSpec pretrained, String weightInit, double l2Biases) {

  /** DL4J's usual initialisation, the default. */
  public static final String INIT_HE = "he";

  /** PyTorch's default initialisation. */
  public static final String INIT_PYTORCH = "pytorch";

  /** Every value {@code model.weight_init} may take. */
  public static final List<String> WEIGHT_INITS = List.of(INIT_HE, INIT_PYTORCH);

  /** Input shape used when JOB.yaml gives none: MNIST-sized grayscale. */
  public static final int DEFAULT_SIZE = 28;

  public ModelSpec {
    Objects.requireNonNull(name, "name");
    if (!ModelZoo.names().contains(name)) {
      throw JobSpecException.key("model.name",
          "must be one of " + String.join(", ", ModelZoo.names()) + ", got '" + name + "'");
    }
    checkPixels("model.input.width", width);
    checkPixels("model.input.height", height);
    checkModelPixels(name, "model.input.width", width);
    checkModelPixels(name, "model.input.height", height);
    if (channels != 1 && channels != 3) {
      throw JobSpecException.key("model.input.channels", "must be 1 or 3, got " + channels);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw JobSpecException.key("model.dropout", "must be at least 0 and below 1, got " + dropout);
    }
    if (!(l2 >= 0) || Double.isInfinite(l2)) {
      throw JobSpecException.key("model.l2", "must be 0 or a positive number, got " + l2);
    }
    if (!(l2Biases >= 0) || Double.isInfinite(l2Biases)) {
      throw JobSpecException.key("model.l2_biases", "must be 0 or a positive number, got " + l2Biases);
    }
    Objects.requireNonNull(weightInit, "weightInit");
    if (!WEIGHT_INITS.contains(weightInit)) {
      throw JobSpecException.key("model.weight_init",
          "must be " + String.join(" or ", WEIGHT_INITS) + ", got '" + weightInit + "'");
    }
    if (pretrained != null && pretrained.freezeLayers() >= ModelZoo.layerCount(name)) {
      throw JobSpecException.key("model.pretrained.freeze_layers", "must be below " + ModelZoo.layerCount(name)
          + ", the number of layers of model '" + name + "', got " + pretrained.freezeLayers());
    }
  }

  /** A model whose biases are not decayed. */
  public ModelSpec(String name, int width, int height, int channels, double dropout, double l2,
      PretrainedSpec pretrained, String weightInit) {
    this(name, width, height, channels, dropout, l2, pretrained, weightInit, 0);
  }

  /** A model with DL4J's usual initialisation ({@value #INIT_HE}). */
  public ModelSpec(String name, int width, int height, int channels, double dropout, double l2,
      PretrainedSpec pretrained) {
    this(name, width, height, channels, dropout, l2, pretrained, INIT_HE);
  }

  /** Whether fresh weights follow PyTorch's default initialisation ({@value #INIT_PYTORCH}). */
  public boolean pytorchInit() {
    return weightInit.equals(INIT_PYTORCH);
  }

  /** A model without dropout, weight decay or pretrained start. */
  public ModelSpec(String name, int width, int height, int channels) {
    this(name, width, height, channels, 0, 0, null);
  }

  /** The named model on 28x28 grayscale input. */
  public static ModelSpec of(String name) {
    return new ModelSpec(name, DEFAULT_SIZE, DEFAULT_SIZE, 1);
  }

  private static void checkPixels(String key, int value) {
    if (value < 8 || value > 512) {
      throw JobSpecException.key(key, "must be between 8 and 512 pixels, got " + value);
    }
  }

  private static void checkModelPixels(String name, String key, int value) {
    int min = ModelZoo.minInputPixels(name);
    int max = ModelZoo.maxInputPixels(name);
    if (value < min || value > max) {
      throw JobSpecException.key(key, "must be between " + min + " and " + max + " pixels for model '" + name
          + "', got " + value);
    }
  }
}
