package dev.ssecast.bench.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ssecast-bench report}: one HTML report from the JSON of several runs, for example ssecast's and nchan's
 * from the same session, drawn on the same axes.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Render the JSON results of one or more runs into one self-contained HTML report.")
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--html", required = true, description = "HTML file to write")
    Path html;

    @Option(names = "--title", defaultValue = "ssecast-bench report", description = "Report title")
    String title;

    @Parameters(arity = "1..*", description = "JSON results written by load or capacity")
    List<Path> runs;

    @Override
    public Integer call() throws Exception {
        List<Results.Run> read = new ArrayList<>();
        for (Path run : runs) {
            read.add(Reports.read(run));
        }
        Files.writeString(html, HtmlReport.render(title, read));
        System.out.println("wrote " + html);
        return 0;
    }
}
