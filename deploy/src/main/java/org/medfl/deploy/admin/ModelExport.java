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
import org.medfl.common.model.Parameters;

/** Writes a global model as a DL4J model zip that {@link ModelSerializer} loads. */
public final class ModelExport {
  private ModelExport() {}

  /** Builds the spec's architecture, sets the parameters and writes the zip atomically. */
  public static MultiLayerNetwork writeZip(JobSpec spec, float[] parameters, Path out) {
    MultiLayerNetwork net = ModelZoo.build(spec);
    Parameters.copyIn(net, parameters);
    try {
      Path dir = out.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
      try {
        ModelSerializer.writeModel(net, temp.toFile(), false);
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
