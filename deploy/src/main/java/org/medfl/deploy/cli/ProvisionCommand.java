package org.medfl.deploy.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medfl.common.pki.Role;
import org.medfl.common.pki.SigningRequest;
import org.medfl.deploy.provision.CaStore;
import org.medfl.deploy.provision.IssuedCertificate;
import org.medfl.deploy.provision.KitSigner;
import org.medfl.deploy.provision.ProvisionResult;
import org.medfl.deploy.provision.Provisioner;
import org.medfl.deploy.provision.Revoker;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl provision: a consortium CA and one startup kit per participant; later, signing, revoking and listing. */
@Command(name = "provision", description = {
    "Create a consortium CA and one startup kit per participant.",
    "Each kit holds the participant's certificate (with its role), private key (mode 600), the CA certificate and",
    "the coordinator's address.",
    "Copy each kit to its participant over a trusted channel; keep consortium-ca/ offline.",
    "Later, with the CA folder: 'sign' adds a participant from its signing",
    "request (its key never leaves it), 'revoke' writes a new CRL, 'list' shows",
    "every certificate issued, 'crl' renews the CRL."},
    subcommands = {ProvisionCommand.Sign.class, ProvisionCommand.Revoke.class, ProvisionCommand.ListIssued.class,
        ProvisionCommand.Crl.class})
final class ProvisionCommand implements Callable<Integer> {
  @Mixin
  GlobalOptions global;

  @Spec
  CommandSpec spec;

  // Not 'required' in picocli's sense: they are required to create a consortium, but not with a subcommand.
  @Option(names = "--consortium", paramLabel = "NAME", description = "Consortium name (required).")
  String consortium;

  @Option(names = "--coordinator", paramLabel = "HOST:PORT",
      description = "Address the sites and admins will dial (required).")
  String coordinator;

  @Option(names = "--sites", split = ",", paramLabel = "NAME", description = "Site names (required).")
  List<String> sites;

  @Option(names = "--admins", split = ",", paramLabel = "NAME", description = "Admin names (required).")
  List<String> admins;

  @Option(names = "--auditors", split = ",", paramLabel = "NAME", description = "Auditor names.")
  List<String> auditors = List.of();

  @Option(names = "--out", paramLabel = "DIR", description = "Where the kits are written (required).")
  Path out;

  @Override
  public Integer call() {
    List<String> missing = new ArrayList<>();
    addIfMissing(missing, consortium, "'--consortium=NAME'");
    addIfMissing(missing, coordinator, "'--coordinator=HOST:PORT'");
    addIfMissing(missing, sites, "'--sites=NAME'");
    addIfMissing(missing, admins, "'--admins=NAME'");
    addIfMissing(missing, out, "'--out=DIR'");
    if (!missing.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option"
          + (missing.size() > 1 ? "s" : "") + ": " + String.join(", ", missing));
    }
    ProvisionResult result = Provisioner.provision(consortium, coordinator, sites, admins, auditors, out);
    var console = spec.commandLine().getOut();
    console.println("consortium CA: " + result.caDir() + " (keep offline; needed only to add participants)");
    for (Map.Entry<String, Path> kit : result.kits().entrySet()) {
      console.println("kit " + kit.getKey() + ": " + kit.getValue());
    }
    return ExitCodes.OK;
  }

  private static void addIfMissing(List<String> missing, Object value, String option) {
    if (value == null) {
      missing.add(option);
    }
  }

  /** fl provision sign. */
  @Command(name = "sign", description = {
      "Add a participant, or give one a new key (--rotate), from its signing request.",
      "Checks the request's signature and name, refuses a name this CA already",
      "issued unless --rotate, and writes a kit WITHOUT a private key, which the",
      "participant installs with fl site enroll --complete. No other kit changes."})
  static final class Sign implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--ca-dir", required = true, paramLabel = "DIR",
        description = "The consortium-ca/ folder fl provision wrote.")
    Path caDir;

    @Option(names = "--csr", required = true, paramLabel = "FILE", description = "The participant's NAME.csr.pem.")
    Path csr;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
        description = "site, admin or auditor; the request cannot choose its role.")
    String role;

    @Option(names = "--name", paramLabel = "NAME",
        description = "Refuse the request unless it asks for this name.")
    String name;

    @Option(names = "--fingerprint", paramLabel = "SHA256:HEX",
        description = "Refuse the request unless its key has this fingerprint (as fl site enroll printed it).")
    String fingerprint;

    @Option(names = "--rotate", description = "The name already has a certificate; issue one for its new key.")
    boolean rotate;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the kit is written (default: beside the CA"
        + " folder, in a folder named after the participant).")
    Path out;

    @Override
    public Integer call() {
      Role asRole;
      try {
        asRole = Role.fromCertValue(role);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, "--role: " + e.getMessage());
      }
      SigningRequest request = SigningRequest.read(csr);
      if (fingerprint != null && !fingerprint.equalsIgnoreCase(request.fingerprint())) {
        throw new CliException(ExitCodes.USAGE, "--fingerprint: the key in " + csr + " is " + request.fingerprint()
            + ", not " + fingerprint + "; do not sign it, and ask the participant where it came from");
      }
      var console = spec.commandLine().getOut();
      try (CaStore store = CaStore.open(caDir)) {
        Path kitDir = out != null ? out : caDir.toAbsolutePath().getParent().resolve(request.name());
        KitSigner.Signed signed = KitSigner.sign(store, request, asRole, name, rotate, kitDir);
        console.printf("issued %s certificate for '%s', serial %s, valid until %s%n", asRole.certValue(),
            request.name(), signed.certificate().getSerialNumber().toString(16),
            signed.certificate().getNotAfter().toInstant());
        console.printf("key fingerprint: %s%s%n", request.fingerprint(), fingerprint == null
            ? " (confirm it with " + request.name() + " before sending the kit)" : " (as expected)");
        console.printf("kit without private key: %s%n", signed.kit());
        console.printf("send it to %s, who installs it with: fl site enroll --complete DIR --kit THEIR_KIT%n",
            request.name());
        if (!signed.previous().isEmpty()) {
          console.printf("%s still has %d older certificate(s) in force; once it runs with the new one:%n"
              + "  fl provision revoke %s --superseded --ca-dir %s%n", request.name(), signed.previous().size(),
              request.name(), caDir);
        }
      }
      console.flush();
      return ExitCodes.OK;
    }
  }

  /** fl provision revoke. */
  @Command(name = "revoke", description = {
      "Revoke a participant's certificates and write a new CRL signed by the CA.",
      "The CRL is consortium-ca/crl.pem. Copy it to the coordinator as",
      "KIT/startup/crl.pem (or its --crl file) by writing a temp file and renaming",
      "it: the coordinator refuses the revoked certificates from the next call on,",
      "without a restart."})
  static final class Revoke implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The participant.")
    String name;

    @Option(names = "--ca-dir", required = true, paramLabel = "DIR",
        description = "The consortium-ca/ folder fl provision wrote.")
    Path caDir;

    @ArgGroup(exclusive = true)
    Which which;

    /** Revoke one certificate, or every one but the newest; default: all of them. */
    static final class Which {
      @Option(names = "--serial", paramLabel = "HEX", description = "Only this certificate (see fl provision list).")
      String serial;

      @Option(names = "--superseded",
          description = "Every one but the newest: the end of a key rotation. Default: all of NAME's certificates.")
      boolean superseded;
    }

    @Override
    public Integer call() {
      String serial = which == null ? null : which.serial;
      Revoker.Scope scope = which != null && which.superseded ? Revoker.Scope.SUPERSEDED : Revoker.Scope.ALL;
      var console = spec.commandLine().getOut();
      try (CaStore store = CaStore.open(caDir)) {
        Revoker.Revoked result = Revoker.revoke(store, name, serial, scope);
        for (IssuedCertificate certificate : result.revoked()) {
          console.printf("revoked %s %s, serial %s (%s)%n", certificate.role().certValue(), certificate.name(),
              certificate.serialHex(), certificate.reason().value());
        }
        printCrl(console, store, result);
      }
      console.flush();
      return ExitCodes.OK;
    }
  }

  /** fl provision list. */
  @Command(name = "list", description = "Every certificate this CA issued, with its serial and status.")
  static final class ListIssued implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--ca-dir", required = true, paramLabel = "DIR",
        description = "The consortium-ca/ folder fl provision wrote.")
    Path caDir;

    @Override
    public Integer call() {
      var console = spec.commandLine().getOut();
      try (CaStore store = CaStore.open(caDir)) {
        Instant now = Instant.now();
        console.printf("%-20s %-12s %-40s %-20s %s%n", "name", "role", "serial", "not after", "status");
        for (IssuedCertificate certificate : store.issued()) {
          console.printf("%-20s %-12s %-40s %-20s %s%n", certificate.name(), certificate.role().certValue(),
              certificate.serialHex(), certificate.notAfter().toString().substring(0, 19),
              certificate.status(now));
        }
        console.printf("latest CRL: %s (number %s)%n", store.crlFile(), store.crlNumber());
      }
      console.flush();
      return ExitCodes.OK;
    }
  }

  /** fl provision crl. */
  @Command(name = "crl", description = {
      "Write a fresh CRL: the same revocations, the next number.",
      "A CRL promises a newer one within a year; the coordinator warns after that.",
      "Copy it to the coordinator as after fl provision revoke."})
  static final class Crl implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--ca-dir", required = true, paramLabel = "DIR",
        description = "The consortium-ca/ folder fl provision wrote.")
    Path caDir;

    @Override
    public Integer call() {
      var console = spec.commandLine().getOut();
      try (CaStore store = CaStore.open(caDir)) {
        printCrl(console, store, Revoker.reissue(store));
      }
      console.flush();
      return ExitCodes.OK;
    }
  }

  private static void printCrl(PrintWriter console, CaStore store, Revoker.Revoked result) {
    long revoked = store.issued().stream().filter(IssuedCertificate::revoked).count();
    console.printf("CRL number %s, %d revoked certificate(s): %s%n", result.crlNumber(), revoked, result.crl());
    console.printf("copy it to the coordinator as KIT/startup/crl.pem (write a temp file, then rename it);"
        + " it applies at the next call, without a restart%n");
  }
}
