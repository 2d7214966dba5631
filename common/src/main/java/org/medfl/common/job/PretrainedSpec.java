package org.medfl.common.job;

/**
 * Transfer learning: start from a DL4J model file instead of a fresh initialisation.
 *
 * @param file path of a DL4J model zip, as seen by the coordinator (which makes the round-0 model)
 * @param freezeLayers the first N layers are not trained, 0 or more
 */
public record PretrainedSpec(String file, int freezeLayers) {
  public PretrainedSpec {
    if (file == null || file.isBlank()) {
      throw JobSpecException.key("model.pretrained.file", "must name a DL4J model zip");
    }
    if (freezeLayers < 0) {
      throw JobSpecException.key("model.pretrained.freeze_layers", "must be 0 or more, got " + freezeLayers);
    }
  }
}
