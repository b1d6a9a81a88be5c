package dev.cove.rpc.index;

import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;

/**
 * Writes {@link OperationIndex#RESOURCE}: every class annotated {@code @Query} or {@code @Action} in the
 * compilation. Builds that compile only some files (IDEs) keep the entries of an existing index whose
 * classes still exist, so a partial compile does not make operations disappear.
 *
 * <p>Enable it with {@code -proc:full} (javac finds it on the class path through cove-rpc's service
 * file) or by naming it with {@code -processor}.
 */
@SupportedAnnotationTypes({"dev.cove.rpc.Query", "dev.cove.rpc.Action"})
public final class OperationIndexProcessor extends AbstractProcessor {
    private final TreeSet<String> handlers = new TreeSet<>();

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(java.util.Set<? extends TypeElement> annotations, RoundEnvironment round) {
        for (TypeElement annotation : annotations) {
            for (Element e : round.getElementsAnnotatedWith(annotation)) {
                if (e instanceof TypeElement type) {
                    handlers.add(processingEnv.getElementUtils().getBinaryName(type).toString());
                }
            }
        }
        if (round.processingOver() && !handlers.isEmpty()) {
            write();
        }
        return false;
    }

    private void write() {
        TreeSet<String> all = new TreeSet<>(handlers);
        try {
            FileObject old = processingEnv.getFiler().getResource(StandardLocation.CLASS_OUTPUT, "", OperationIndex.RESOURCE);
            try (InputStream in = old.openInputStream()) {
                for (String name : OperationIndex.parse(in)) {
                    if (processingEnv.getElementUtils().getTypeElement(name.replace('$', '.')) != null) {
                        all.add(name);
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // no earlier index: this compilation saw every handler
        }
        try {
            FileObject f = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "", OperationIndex.RESOURCE);
            try (Writer w = new java.io.OutputStreamWriter(f.openOutputStream(), StandardCharsets.UTF_8)) {
                w.write("# cove-rpc operation handlers, written at build time by " + getClass().getName() + "\n");
                for (String name : all) {
                    w.write(name);
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "cannot write " + OperationIndex.RESOURCE + ": " + e);
        }
    }
}
