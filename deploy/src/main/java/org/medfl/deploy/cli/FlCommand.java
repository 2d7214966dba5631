package org.medfl.deploy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The root fl command. */
@Command(name = "fl",
    usageHelpAutoWidth = true,
    versionProvider = FlCommand.Version.class,
    header = "MedFL: federated learning for hospitals.",
    description = {
        "Examples:",
        "  fl simulate                                  whole federation, one machine",
        "  fl provision --consortium heart --coordinator fl.example.org:8443 \\",
        "     --sites a,b --admins alice --auditors audit --out kits",
        "  fl coordinator start --kit kits/coordinator --state /var/lib/medfl",
        "  fl site start --kit kits/a --data /srv/xray  at each hospital",
        "  fl site enroll --name d --kit kit-d          a new site makes its own key",
        "  fl provision revoke d --ca-dir kits/consortium-ca",
        "  fl job submit --kit kits/alice job.yaml      as a consortium admin",
        "  fl audit verify --kit kits/audit JOB_ID      as an auditor",
        ""},
    footer = {"", "Exit codes: 0 success, 1 the work failed, 2 bad usage or input."},
    subcommands = {
        SimulateCommand.class,
        TrainCentralCommand.class,
        ProvisionCommand.class,
        DataCommand.class,
        CoordinatorCommand.class,
        SiteCommand.class,
        JobCommand.class,
        ModelCommand.class,
        AuditCommand.class,
        CommandLine.HelpCommand.class})
public final class FlCommand implements Runnable {
  @Mixin
  GlobalOptions global;

  @CommandLine.Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
  boolean version;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "choose a command");
  }

  /** The configured command line: error handler, exit codes. */
  public static CommandLine commandLine() {
    CommandLine line = new CommandLine(new FlCommand());
    line.setExecutionExceptionHandler(new ErrorHandler());
    line.setCaseInsensitiveEnumValuesAllowed(true);
    return line;
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = FlCommand.class.getPackage().getImplementationVersion();
      return new String[] {"fl " + (version == null ? "development build" : version)};
    }
  }
}
