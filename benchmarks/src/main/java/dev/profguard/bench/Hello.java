package dev.profguard.bench;

/** The program the start-up benchmark starts: hello world. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
