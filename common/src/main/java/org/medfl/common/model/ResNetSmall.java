package org.medfl.common.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.medfl.common.job.JobSpec;
import org.nd4j.linalg.activations.Activation;

/**
 * A small residual network for 64 to 224 pixel images, after He, Zhang, Ren and Sun, "Deep Residual Learning for
 * Image Recognition", CVPR 2016 (arXiv 1512.03385), scaled down for a site's CPU:
 * <pre>
 *   stem   conv 3x3x32 stride 2, BN, ReLU, max-pool 3x3 stride 2
 *   res1   basic block 32,  stride 1, identity shortcut
 *   res2   basic block 64,  stride 2, 1x1 conv + BN projection shortcut
 *   res3   basic block 128, stride 2, 1x1 conv + BN projection shortcut
 *   head   global average pooling, softmax
 * </pre>
 * A basic block is conv 3x3, BN, ReLU, conv 3x3, BN, add the shortcut, ReLU. Convolutions followed by batch norm
 * have no bias, which BN's beta would duplicate. 224 px input leaves a 14x14x128 map before pooling, 64 px a 4x4.
 * Layers, in the order that {@code freeze_layers} counts them: stem 4 (conv, bn, relu, pool), res1 6, res2 8,
 * res3 8, head 2: 28 in all.
 */
final class ResNetSmall {

  /** Number of layers (not counting the input and the add vertices). */
  static final int LAYERS = 28;

  private final ComputationGraphConfiguration.GraphBuilder graph;
  private final LayerSettings settings;

  private ResNetSmall(JobSpec spec) {
    this.settings = new LayerSettings(spec);
    this.graph = LayerSettings.base(spec)
        .convolutionMode(ConvolutionMode.Same)
        .graphBuilder()
        .addInputs("input")
        .setInputTypes(SequentialCnns.input(spec));
  }

  static ComputationGraphConfiguration configuration(JobSpec spec) {
    var r = new ResNetSmall(spec);
    String x = r.convBn("stem", "input", 32, 3, 2);
    x = r.layer("stem-relu", relu(), x);
    x = r.layer("stem-pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
        .kernelSize(3, 3).stride(2, 2).build(), x);
    x = r.block("res1", x, 32, 32, 1);
    x = r.block("res2", x, 32, 64, 2);
    x = r.block("res3", x, 64, 128, 2);
    x = r.layer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
    r.layer("output", SequentialCnns.output(r.settings, spec), x);
    return r.graph.setOutputs("output").build();
  }

  private String block(String name, String in, int inChannels, int outChannels, int stride) {
    String x = convBn(name + "-a", in, outChannels, 3, stride);
    x = layer(name + "-a-relu", relu(), x);
    x = convBn(name + "-b", x, outChannels, 3, 1);
    String shortcut = in;
    if (stride != 1 || inChannels != outChannels) {
      shortcut = convBn(name + "-proj", in, outChannels, 1, stride);
    }
    graph.addVertex(name + "-add", new ElementWiseVertex(ElementWiseVertex.Op.Add), x, shortcut);
    return layer(name + "-relu", relu(), name + "-add");
  }

  /** Two layers: conv (no bias, BN follows) then batch norm; returns the BN layer's name. */
  private String convBn(String name, String in, int filters, int kernel, int stride) {
    String conv = layer(name + "-conv", new ConvolutionLayer.Builder(kernel, kernel).nOut(filters)
        .stride(stride, stride).hasBias(false).activation(Activation.IDENTITY).build(), in);
    return layer(name + "-bn", new BatchNormalization.Builder().build(), conv);
  }

  private String layer(String name, Layer layer, String in) {
    graph.addLayer(name, settings.next(layer), in);
    return name;
  }

  private static ActivationLayer relu() {
    return new ActivationLayer.Builder().activation(Activation.RELU).build();
  }
}
