package org.medfl.common.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.util.ModelSerializer;
import org.medfl.common.job.JobSpecException;

/**
 * Transfer learning's starting point: a DL4J model zip whose architecture must be the job's, layer for layer.
 * Only parameters are taken from it; the optimiser, dropout, L2 and frozen layers stay those of the job.
 */
final class PretrainedModel {

  private static final String KEY = "JOB.yaml: 'model.pretrained.file' ";

  private PretrainedModel() {}

  /**
   * Copies the parameters of the model zip {@code file} into {@code target}.
   *
   * @throws JobSpecException naming the file if it cannot be read or its layers (type and parameter count, in
   *     order) differ from {@code target}'s
   */
  static void loadInto(Path file, Network target, String modelName) {
    if (!Files.isRegularFile(file)) {
      throw new JobSpecException(KEY + file + " is not a readable file");
    }
    String kind = target.isGraph() ? "ComputationGraph" : "MultiLayerNetwork";
    Model loaded;
    try {
      loaded = target.isGraph()
          ? ModelSerializer.restoreComputationGraph(file.toFile(), false)
          : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
    } catch (IOException | RuntimeException e) {
      throw new JobSpecException(KEY + file + " is not a DL4J " + kind + " zip, which model '" + modelName
          + "' needs: " + e.getMessage());
    }
    List<String> want = describe(target);
    List<String> got = describe(Network.of(loaded));
    for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
      String w = i < want.size() ? want.get(i) : "absent";
      String g = i < got.size() ? got.get(i) : "absent";
      if (!w.equals(g)) {
        throw new JobSpecException(KEY + file + " does not match model '" + modelName + "': layer " + i + " is "
            + g + " in the file but " + w + " in the model");
      }
    }
    if (loaded.numParams() != target.numParams()) {
      throw new JobSpecException(KEY + file + " has " + loaded.numParams() + " parameters but model '" + modelName
          + "' has " + target.numParams());
    }
    Parameters.copyIn(target, loaded.params().toFloatVector());
  }

  /** Each layer as "DenseLayer with 1234 parameters", frozen or not. */
  private static List<String> describe(Network net) {
    var out = new ArrayList<String>();
    for (Layer layer : net.layers()) {
      var conf = layer.conf().getLayer();
      if (conf instanceof FrozenLayer f) {
        conf = f.getLayer();
      } else if (conf instanceof FrozenLayerWithBackprop f) {
        conf = f.getUnderlying();
      }
      out.add(conf.getClass().getSimpleName() + " with " + layer.numParams() + " parameters");
    }
    return out;
  }
}
