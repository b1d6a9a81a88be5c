// Run by bin/package with the JDK's source launcher (java -cp CLI-JARS:picocli-codegen.jar bin/lib/ManPages.java DIR):
// picocli-codegen's ManPageGenerator writes an AsciiDoc man page for `cove` and each subcommand from the CLI's
// own command tree, so the pages say what --help says. The CLI takes its environment in its constructor, which
// the generator's own main cannot pass; hence these lines.
import dev.cove.cli.CoveCli;
import java.io.File;
import java.util.Map;
import picocli.codegen.docgen.manpage.ManPageGenerator;

public class ManPages {
    public static void main(String[] args) throws Exception {
        var spec = CoveCli.commandLine(Map.of()).getCommandSpec();
        int status = ManPageGenerator.generateManPage(new File(args[0]), null, new boolean[0], true, spec);
        System.exit(status);
    }
}
