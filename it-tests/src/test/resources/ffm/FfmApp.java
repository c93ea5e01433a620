import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;

/** Run by JDK 22+'s source launcher: loads a library through FFM, prints LOADED or REFUSED. */
public class FfmApp {
    public static void main(String[] args) {
        System.out.println("MAIN-RAN");
        try {
            if (args[0].equals("path")) {
                SymbolLookup.libraryLookup(Path.of(args[1]), Arena.global());
            } else {
                SymbolLookup.libraryLookup(args[1], Arena.global());
            }
            System.out.println("LOADED");
        } catch (UnsatisfiedLinkError | IllegalArgumentException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
