package org.medfl.deploy.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medfl.deploy.provision.ProvisionResult;
import org.medfl.deploy.provision.Provisioner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl provision: a consortium CA and one startup kit per participant. */
@Command(name = "provision", description = {
    "Create a consortium CA and one startup kit per participant.",
    "Each kit holds the participant's certificate (with its role), private key (mode 600), the CA certificate and",
    "the coordinator's address.",
    "Copy each kit to its participant over a trusted channel; keep consortium-ca/ offline."})
final class ProvisionCommand implements Callable<Integer> {
  @Mixin
  GlobalOptions global;

  @Spec
  CommandSpec spec;

  @Option(names = "--consortium", required = true, paramLabel = "NAME", description = "Consortium name.")
  String consortium;

  @Option(names = "--coordinator", required = true, paramLabel = "HOST:PORT",
      description = "Address the sites and admins will dial.")
  String coordinator;

  @Option(names = "--sites", required = true, split = ",", paramLabel = "NAME", description = "Site names.")
  List<String> sites;

  @Option(names = "--admins", required = true, split = ",", paramLabel = "NAME", description = "Admin names.")
  List<String> admins;

  @Option(names = "--auditors", split = ",", paramLabel = "NAME", description = "Auditor names.")
  List<String> auditors = List.of();

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the kits are written.")
  Path out;

  @Override
  public Integer call() {
    ProvisionResult result = Provisioner.provision(consortium, coordinator, sites, admins, auditors, out);
    var console = spec.commandLine().getOut();
    console.println("consortium CA: " + result.caDir() + " (keep offline; needed only to add participants)");
    for (Map.Entry<String, Path> kit : result.kits().entrySet()) {
      console.println("kit " + kit.getKey() + ": " + kit.getValue());
    }
    return ExitCodes.OK;
  }
}
