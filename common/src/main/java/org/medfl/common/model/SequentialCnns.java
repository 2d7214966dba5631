package org.medfl.common.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.medfl.common.job.JobSpec;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The plain conv-pool-dense networks of the zoo, as DL4J MultiLayerNetwork configurations. Every one ends in
 * softmax with multi-class cross-entropy, two classes included, so evaluation code reads one probability per
 * class from every model.
 */
final class SequentialCnns {

  private SequentialCnns() {}

  /**
   * McMahan et al., AISTATS 2017 (arXiv 1602.05629): conv 5x5x32, max-pool 2x2, conv 5x5x64, max-pool 2x2,
   * dense 512, softmax; "same" padding as in the paper. Six layers.
   */
  static MultiLayerConfiguration cnnFedAvg(JobSpec spec) {
    var s = new LayerSettings(spec);
    return LayerSettings.base(spec)
        // pooling with "same" keeps the edge pixels of odd-sized inputs.
        .convolutionMode(ConvolutionMode.Same)
        .list()
        .layer(s.next(conv(5, 32)))
        .layer(s.next(maxPool()))
        .layer(s.next(conv(5, 64)))
        .layer(s.next(maxPool()))
        .layer(s.next(s.dense(new DenseLayer.Builder().nOut(512).activation(Activation.RELU)).build()))
        .layer(s.next(output(s, spec)))
        .setInputType(input(spec))
        .build();
  }

  /**
   * The Keras MNIST convnet example (keras.io, "Simple MNIST convnet"): conv 3x3x32, max-pool 2x2, conv 3x3x64,
   * max-pool 2x2, dense 128, softmax; "valid" convolutions as in Keras. Six layers; inputs of at least 10 pixels.
   */
  static MultiLayerConfiguration cnnSmall(JobSpec spec) {
    var s = new LayerSettings(spec);
    return LayerSettings.base(spec)
        .convolutionMode(ConvolutionMode.Truncate)
        .list()
        .layer(s.next(conv(3, 32)))
        .layer(s.next(maxPool()))
        .layer(s.next(conv(3, 64)))
        .layer(s.next(maxPool()))
        .layer(s.next(s.dense(new DenseLayer.Builder().nOut(128).activation(Activation.RELU)).build()))
        .layer(s.next(output(s, spec)))
        .setInputType(input(spec))
        .build();
  }

  /**
   * The simple CNN of NIID-Bench (Li, Diao, Chen and He, "Federated Learning on Non-IID Data Silos: An
   * Experimental Study", ICDE 2022): conv 5x5x6, max-pool 2x2, conv 5x5x16, max-pool 2x2, dense 120, dense 84,
   * softmax; no padding. 44,426 parameters on 28x28x1 with 10 classes. Seven layers; inputs of at least 16 pixels.
   */
  static MultiLayerConfiguration cnnNiid(JobSpec spec) {
    var s = new LayerSettings(spec);
    return LayerSettings.base(spec)
        .convolutionMode(ConvolutionMode.Truncate)
        .list()
        .layer(s.next(conv(5, 6)))
        .layer(s.next(maxPool()))
        .layer(s.next(conv(5, 16)))
        .layer(s.next(maxPool()))
        .layer(s.next(s.dense(new DenseLayer.Builder().nOut(120).activation(Activation.RELU)).build()))
        .layer(s.next(s.dense(new DenseLayer.Builder().nOut(84).activation(Activation.RELU)).build()))
        .layer(s.next(output(s, spec)))
        .setInputType(input(spec))
        .build();
  }

  private static ConvolutionLayer conv(int kernel, int filters) {
    return new ConvolutionLayer.Builder(kernel, kernel).nOut(filters).stride(1, 1).activation(Activation.RELU)
        .build();
  }

  private static SubsamplingLayer maxPool() {
    return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
  }

  static OutputLayer output(LayerSettings s, JobSpec spec) {
    return s.dense(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT))
        .nOut(spec.classes().size())
        .activation(Activation.SOFTMAX)
        .weightInit(s.outputInit())
        .build();
  }

  static InputType input(JobSpec spec) {
    var m = spec.model();
    return InputType.convolutional(m.height(), m.width(), m.channels());
  }
}
