package org.medfl.deploy.provision;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Provisioner#provision} wrote.
 *
 * @param caDir the folder holding ca.pem and ca-key.pem, to be kept offline
 * @param kits each participant's kit folder by participant name: coordinator, then sites, admins, auditors
 */
public record ProvisionResult(Path caDir, Map<String, Path> kits) {

  /** Keeps the kits in provisioning order and unmodifiable. */
  public ProvisionResult {
    kits = Collections.unmodifiableMap(new LinkedHashMap<>(kits));
  }
}
