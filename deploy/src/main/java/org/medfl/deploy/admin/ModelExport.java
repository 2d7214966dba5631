package org.medfl.deploy.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.medfl.common.job.JobSpec;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.model.Network;
import org.medfl.common.model.Parameters;

/** Writes a global model as a DL4J model zip that {@link ModelSerializer} loads. */
public final class ModelExport {
  private ModelExport() {}

  /**
   * As {@link #write} for the models that are MultiLayerNetworks (all but resnet-small).
   *
   * @throws IllegalArgumentException for a ComputationGraph model, before writing anything
   */
  public static MultiLayerNetwork writeZip(JobSpec spec, float[] parameters, Path out) {
    if (ModelZoo.isGraph(spec.model().name())) {
      throw new IllegalArgumentException("model '" + spec.model().name() + "' is a ComputationGraph; use write");
    }
    return (MultiLayerNetwork) write(spec, parameters, out).dl4j();
  }

  /**
   * Builds the spec's architecture, sets the parameters and writes the zip atomically; a MultiLayerNetwork or,
   * for resnet-small, a ComputationGraph zip.
   */
  public static Network write(JobSpec spec, float[] parameters, Path out) {
    Network net = ModelZoo.network(spec);
    Parameters.copyIn(net, parameters);
    try {
      Path dir = out.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
      try {
        ModelSerializer.writeModel(net.dl4j(), temp.toFile(), false);
        Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
    }
    return net;
  }
}
