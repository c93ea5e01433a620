package dev.profguard.bench;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Generates the start-up benchmark's larger application: a jar of about {@code CLASSES} distinct
 * classes (default 1,600) that its main class loads, links, initialises and calls after start.
 * Packages of 95 classes each: models with fields, accessors, equals/hashCode/toString and a nested
 * builder; services extending an abstract base and implementing a shared interface (one in five
 * uses a lambda); handlers implementing the package's interface with a switch on its enum; immutable
 * comparable values; a record; a registry that instantiates and calls each of them. It is compiled
 * with {@code --release 17}, so JDK 17 and 25 both run it. Output: {@code OUT/large-app.jar}, main
 * class {@code com.acme.shop.Main}, which prints {@code large-app ok <checksum>}.
 * Regenerated only when the jar is missing or was made for another class count.
 *
 * <pre>java -cp benchmarks/target/classes dev.profguard.bench.LargeAppGenerator benchmarks/target/large-app [CLASSES]</pre>
 */
public final class LargeAppGenerator {
    /**
     * Classes per package: 5 fixed (enum, interface, abstract base, record, registry), 60 units, 15
     * nested builders and 15 synthetic {@code Handler$1} classes (javac's switch map of each handler's
     * switch on the enum).
     */
    static final int PER_PACKAGE = 95;
    private static final int UNITS = 60;
    private static final String ROOT = "com.acme.shop";
    public static final String MAIN_CLASS = ROOT + ".Main";
    private static final String VERSION = "2";

    private LargeAppGenerator() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: LargeAppGenerator OUT_DIR [CLASSES]");
            System.exit(2);
        }
        int classes = args.length > 1 ? Integer.parseInt(args[1]) : 1600;
        long start = System.nanoTime();
        Path jar = generate(Path.of(args[0]), classes);
        System.out.printf("large app: %s (%d classes, %d ms)%n", jar, countClasses(jar), (System.nanoTime() - start) / 1_000_000);
    }

    /** The jar for about {@code classes} classes under {@code out}, generated unless it is already there. */
    public static Path generate(Path out, int classes) throws IOException {
        int packages = Math.max(1, (classes - 3 + PER_PACKAGE - 1) / PER_PACKAGE);
        Path jar = out.resolve("large-app.jar");
        Path stamp = out.resolve("stamp.txt");
        String stampText = "generator " + VERSION + ", packages " + packages + "\n";
        if (Files.isRegularFile(jar) && Files.isRegularFile(stamp) && Files.readString(stamp).equals(stampText)) {
            return jar;
        }
        deleteTree(out);
        Path src = out.resolve("src");
        Path bin = out.resolve("classes");
        Files.createDirectories(bin);
        List<Path> files = new ArrayList<>();
        files.add(write(src, ROOT + ".core", "Component", component()));
        files.add(write(src, ROOT + ".core", "Context", context()));
        for (int p = 0; p < packages; p++) {
            writePackage(src, p, files);
        }
        files.add(write(src, ROOT, "Main", main(packages)));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in " + System.getProperty("java.home") + ": run with a JDK");
        }
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-nowarn", "-encoding", "UTF-8", "-d", bin.toString()));
        files.forEach(f -> arguments.add(f.toString()));
        int status = javac.run(null, null, null, arguments.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("javac failed on the generated sources in " + src + " (" + status + ")");
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, MAIN_CLASS);
        try (JarOutputStream stream = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> walk = Files.walk(bin)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                stream.putNextEntry(new JarEntry(bin.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, stream);
                stream.closeEntry();
            }
        }
        Files.writeString(stamp, stampText);
        return jar;
    }

    /** Number of .class entries in the jar. */
    public static int countClasses(Path jar) throws IOException {
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            return (int) file.stream().filter(e -> e.getName().endsWith(".class")).count();
        }
    }

    private static void writePackage(Path src, int p, List<Path> files) throws IOException {
        String pkg = String.format("%s.m%02d", ROOT, p);
        String imports = "import " + ROOT + ".core.Component;\nimport " + ROOT + ".core.Context;\n";
        files.add(write(src, pkg, "Kind", "public enum Kind { NEW, PAID, SHIPPED, RETURNED, CANCELLED;\n"
                + "  public Kind next() { return values()[(ordinal() + 1) % values().length]; }\n}\n"));
        files.add(write(src, pkg, "Step", imports + "public interface Step {\n  int apply(Context context, Kind kind);\n"
                + "  default int weight() { return 1; }\n}\n"));
        files.add(write(src, pkg, "BaseService", imports
                + "public abstract class BaseService implements Component {\n"
                + "  protected int calls;\n"
                + "  protected abstract long compute(Context context);\n"
                + "  public final long work(Context context) { calls++; return compute(context) + calls; }\n"
                + "  public String name() { return getClass().getSimpleName(); }\n}\n"));
        files.add(write(src, pkg, "Key", "public record Key(String region, long id) {\n"
                + "  public Key { if (region == null) throw new IllegalArgumentException(\"region\"); }\n}\n"));
        StringBuilder registry = new StringBuilder(imports).append("public final class Registry {\n  private Registry() {}\n")
                .append("  public static long touch(Context context) {\n    long sum = new Key(\"eu\", ").append(p)
                .append(").hashCode();\n");
        for (int u = 0; u < UNITS; u++) {
            String name;
            switch (u % 4) {
                case 0 -> {
                    name = "Item" + u;
                    files.add(write(src, pkg, name, model(name, u)));
                    registry.append("    sum += new ").append(name).append(".Builder().id(context.next()).name(\"i")
                            .append(u).append("\").quantity(").append(u).append(").price(").append(u)
                            .append(".5).build().hashCode();\n");
                }
                case 1 -> {
                    name = "Service" + u;
                    files.add(write(src, pkg, name, service(imports, name, u, "Item" + (u - 1))));
                    registry.append("    sum += new ").append(name).append("().work(context);\n");
                }
                case 2 -> {
                    name = "Handler" + u;
                    files.add(write(src, pkg, name, handler(imports, name, u)));
                    registry.append("    sum += new ").append(name).append("().apply(context, Kind.values()[")
                            .append(u % 5).append("]);\n");
                }
                default -> {
                    name = "Value" + u;
                    files.add(write(src, pkg, name, value(name, u)));
                    registry.append("    sum += ").append(name).append(".of(context.next()).compareTo(").append(name)
                            .append(".of(").append(u).append("L)) + ").append(name).append(".of(").append(u)
                            .append("L).toString().length();\n");
                }
            }
        }
        registry.append("    return sum;\n  }\n}\n");
        files.add(write(src, pkg, "Registry", registry.toString()));
    }

    private static String component() {
        return "public interface Component {\n  String name();\n  long work(Context context);\n}\n";
    }

    private static String context() {
        return "import java.util.HashMap;\nimport java.util.Map;\n"
                + "public final class Context {\n"
                + "  private long counter;\n"
                + "  private final Map<String, Long> totals = new HashMap<>();\n"
                + "  public long next() { return ++counter; }\n"
                + "  public void add(String key, long amount) { totals.merge(key, amount, Long::sum); }\n"
                + "  public long total(String key) { return totals.getOrDefault(key, 0L); }\n"
                + "  public int size() { return totals.size(); }\n}\n";
    }

    private static String model(String name, int u) {
        return "import java.util.ArrayList;\nimport java.util.List;\nimport java.util.Objects;\n"
                + "public final class " + name + " {\n"
                + "  private final long id;\n  private final String name;\n  private final int quantity;\n"
                + "  private final double price;\n  private final List<String> tags;\n"
                + "  private " + name + "(Builder b) { id = b.id; name = b.name; quantity = b.quantity; price = b.price;"
                + " tags = new ArrayList<>(b.tags); }\n"
                + "  public long id() { return id; }\n  public String name() { return name; }\n"
                + "  public int quantity() { return quantity; }\n  public double price() { return price; }\n"
                + "  public List<String> tags() { return tags; }\n"
                + "  public double total() { return quantity * price; }\n"
                + "  @Override public boolean equals(Object o) {\n"
                + "    if (this == o) return true;\n"
                + "    if (!(o instanceof " + name + " other)) return false;\n"
                + "    return id == other.id && quantity == other.quantity && Double.compare(price, other.price) == 0"
                + " && Objects.equals(name, other.name) && tags.equals(other.tags);\n  }\n"
                + "  @Override public int hashCode() { return Objects.hash(id, name, quantity, price, tags); }\n"
                + "  @Override public String toString() { return \"" + name + "{id=\" + id + \", name=\" + name + \"}\"; }\n"
                + "  public static final class Builder {\n"
                + "    private long id;\n    private String name = \"\";\n    private int quantity;\n    private double price;\n"
                + "    private final List<String> tags = new ArrayList<>();\n"
                + "    public Builder id(long v) { id = v; return this; }\n"
                + "    public Builder name(String v) { name = v; return this; }\n"
                + "    public Builder quantity(int v) { quantity = v; return this; }\n"
                + "    public Builder price(double v) { price = v; return this; }\n"
                + "    public Builder tag(String v) { tags.add(v); return this; }\n"
                + "    public " + name + " build() { tag(\"t" + u + "\"); return new " + name + "(this); }\n  }\n}\n";
    }

    private static String service(String imports, String name, int u, String item) {
        boolean lambda = u % 20 == 1;
        String body = lambda
                ? "    java.util.List<" + item + "> items = new java.util.ArrayList<>();\n"
                + "    for (int i = 0; i < 3; i++) items.add(new " + item + ".Builder().id(i).name(\"n\" + i).quantity(i).price(i).build());\n"
                + "    items.sort(java.util.Comparator.comparingLong(x -> -x.id()));\n"
                + "    long sum = 0;\n    for (" + item + " x : items) sum += x.quantity();\n"
                + "    context.add(name(), sum);\n    return sum + items.get(0).id();\n"
                : "    " + item + " item = new " + item + ".Builder().id(context.next()).name(\"s" + u + "\").quantity(" + u
                + ").price(2.0).build();\n"
                + "    StringBuilder text = new StringBuilder(item.name());\n"
                + "    for (int i = 0; i < " + (u % 7 + 1) + "; i++) text.append(':').append(i * " + u + ");\n"
                + "    context.add(name(), text.length());\n"
                + "    return (long) item.total() + text.length();\n";
        return imports + "public final class " + name + " extends BaseService {\n"
                + "  private static final String PREFIX = \"" + name.toLowerCase() + "\";\n"
                + "  private final long seed = " + (u * 31L) + "L;\n"
                + "  @Override protected long compute(Context context) {\n" + body + "  }\n"
                + "  public long seed() { return seed + PREFIX.length(); }\n}\n";
    }

    private static String handler(String imports, String name, int u) {
        return imports + "public final class " + name + " implements Step {\n"
                + "  private int handled;\n"
                + "  @Override public int apply(Context context, Kind kind) {\n"
                + "    handled++;\n"
                + "    int score = switch (kind) {\n"
                + "      case NEW -> " + u + ";\n      case PAID -> " + (u * 2) + ";\n      case SHIPPED -> " + (u * 3) + ";\n"
                + "      default -> kind.next().ordinal();\n    };\n"
                + "    context.add(\"" + name + "\", score);\n"
                + "    return score * weight() + handled;\n  }\n"
                + "  @Override public int weight() { return " + (u % 3 + 1) + "; }\n}\n";
    }

    private static String value(String name, int u) {
        return "public final class " + name + " implements Comparable<" + name + "> {\n"
                + "  private static final " + name + " ZERO = new " + name + "(0L, \"zero\");\n"
                + "  private final long amount;\n  private final String unit;\n"
                + "  private " + name + "(long amount, String unit) { this.amount = amount; this.unit = unit; }\n"
                + "  public static " + name + " of(long amount) { return amount == 0 ? ZERO : new " + name
                + "(amount, \"u" + u + "\"); }\n"
                + "  public " + name + " plus(" + name + " other) { return of(amount + other.amount); }\n"
                + "  @Override public int compareTo(" + name + " other) { return Long.compare(amount, other.amount); }\n"
                + "  @Override public boolean equals(Object o) { return o instanceof " + name
                + " v && v.amount == amount && v.unit.equals(unit); }\n"
                + "  @Override public int hashCode() { return Long.hashCode(amount) * 31 + unit.hashCode(); }\n"
                + "  @Override public String toString() { return amount + \" \" + unit; }\n}\n";
    }

    private static String main(int packages) {
        StringBuilder text = new StringBuilder("import " + ROOT + ".core.Context;\n")
                .append("public final class Main {\n  private Main() {}\n")
                .append("  public static void main(String[] args) {\n    Context context = new Context();\n    long sum = 0;\n");
        for (int p = 0; p < packages; p++) {
            text.append(String.format("    sum += %s.m%02d.Registry.touch(context);%n", ROOT, p));
        }
        text.append("    System.out.println(\"large-app ok \" + (sum + context.size()));\n  }\n}\n");
        return text.toString();
    }

    private static Path write(Path src, String pkg, String name, String body) throws IOException {
        Path dir = src.resolve(pkg.replace('.', '/'));
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".java");
        Files.writeString(file, "package " + pkg + ";\n\n" + body, StandardCharsets.UTF_8);
        return file;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
