package dev.profguard.runtime;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Puts a static call in front of chosen methods by editing the class file in place:
 * the start-up path's alternative to ASM, whose ~25 classes and interpreted visitor chain cost
 * more than a third of the gate's installation (benchmarks/RESULTS.md). It copies every byte it
 * does not need to change, appends the constants the call needs to the pool, and shifts what
 * names code offsets: the exception table, the line and local variable tables, and the stack
 * map, which gains one frame inside the inserted code.
 *
 * <p>The inserted code calls {@code owner.load(route, this, calling class or null, name)} and
 * either returns its result in place of the method (the gate has loaded, or refused by throwing)
 * or, when the result is a {@code Class}, drops it and runs the method as it was:
 * <pre>
 *     ldc_w route; aload_0; aload_1 | aconst_null; aload_2 | aload_1; invokestatic owner.load
 *     dup; instanceof Class; ifne RUN; checkcast ReturnType; areturn
 * RUN: pop                       -- frame: same locals, stack [Object]
 *     (the original code)
 * </pre>
 * It is padded with NOPs at its start to a multiple of four bytes, so relative branches and the
 * alignment of switch instructions stay valid; branches within the original code are relative
 * and untouched. Anything it does not know (a
 * constant pool tag of a future JDK, type annotations on code, an unknown stack map frame type)
 * makes it decline with a {@link Declined}; the caller then uses ASM. So does a malformed class
 * file, which the JVM would not have handed over.
 */
final class EntryPatch {
    /** The class file has something this patcher does not handle; use ASM. */
    static final class Declined extends Exception {
        private static final long serialVersionUID = 1L;

        Declined(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * Chooses the methods to guard: the route to report for a method, or null to leave it. A
     * chosen instance method taking (Class, String, ...) passes that Class and String; one taking
     * (String) passes null and that String. Either must return an object.
     */
    interface Targets {
        String route(int access, String name, String descriptor);
    }

    /** NativeLibraries.loadLibrary's first parameters: the calling class, then the name. */
    static final String CLASS_STRING = "(Ljava/lang/Class;Ljava/lang/String;";
    /** RawNativeLibraries.load's parameter: the name. */
    static final String STRING = "(Ljava/lang/String;)";

    private final byte[] in;
    private final String owner;
    private final String descriptor;
    private int[] entries;              // offset of each constant pool entry
    private int poolCount;              // the pool's entry count, grown by what we append
    private final ByteArrayOutputStream added = new ByteArrayOutputStream();
    private int loadRef;
    private int classClass;
    private int objectClass;
    private int stackMapName;
    private final Map<String, Integer> routeRefs = new HashMap<>(4); // route -> its String constant
    private int patched;

    private EntryPatch(byte[] in, String owner, String descriptor) {
        this.in = in;
        this.owner = owner;
        this.descriptor = descriptor;
    }

    /**
     * @param owner      internal name of the class that receives the call
     * @param descriptor its static method {@code load}'s descriptor (String, Object, Class, String)Object
     * @param count      count[0] is set to the number of methods patched
     * @return the new class file, or null when no method was chosen
     */
    static byte[] apply(byte[] classfile, Targets targets, String owner, String descriptor, int[] count)
            throws Declined {
        try {
            EntryPatch patch = new EntryPatch(classfile, owner, descriptor);
            byte[] result = patch.rewrite(targets);
            count[0] = patch.patched;
            return patch.patched == 0 ? null : result;
        } catch (RuntimeException e) {
            throw new Declined("malformed class file: " + e); // truncated, or lengths that do not add up
        }
    }

    private byte[] rewrite(Targets targets) throws Declined {
        if (u4(0) != 0xCAFEBABE) {
            throw new Declined("not a class file");
        }
        int at = readPool();
        int poolEnd = at;
        at += 6;                                     // access, this, super
        at += 2 + 2 * u2(at);                        // interfaces
        at = skipMembers(at);                        // fields
        int methodsStart = at;
        ByteArrayOutputStream methods = new ByteArrayOutputStream(in.length - methodsStart + 256);
        int methodCount = u2(at);
        put2(methods, methodCount);
        at += 2;
        for (int m = 0; m < methodCount; m++) {
            at = method(at, targets, methods);
        }
        if (patched == 0) {
            return null;
        }
        if (poolCount > 0xFFFF) {
            throw new Declined("constant pool full");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + added.size() + methods.size());
        out.write(in, 0, 8);
        put2(out, poolCount);
        out.write(in, 10, poolEnd - 10);
        out.write(added.toByteArray(), 0, added.size());
        out.write(in, poolEnd, methodsStart - poolEnd);
        out.write(methods.toByteArray(), 0, methods.size());
        out.write(in, at, in.length - at);          // class attributes, untouched
        return out.toByteArray();
    }

    /** Records where each constant is; returns the offset after the pool. */
    private int readPool() throws Declined {
        poolCount = u2(8);
        entries = new int[poolCount];
        int at = 10;
        for (int i = 1; i < poolCount; i++) {
            entries[i] = at;
            int tag = in[at] & 0xff;
            switch (tag) {
                case 1 -> at += 3 + u2(at + 1);                 // Utf8
                case 7, 8, 16, 19, 20 -> at += 3;               // Class, String, MethodType, Module, Package
                case 15 -> at += 4;                             // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> at += 5;    // Integer, Float, refs, NameAndType, (Invoke)Dynamic
                case 5, 6 -> {                                  // Long, Double: two slots
                    at += 9;
                    i++;
                }
                default -> throw new Declined("constant pool tag " + tag);
            }
        }
        return at;
    }

    private int skipMembers(int at) {
        int count = u2(at);
        at += 2;
        for (int i = 0; i < count; i++) {
            at = skipAttributes(at + 6);
        }
        return at;
    }

    private int skipAttributes(int at) {
        int count = u2(at);
        at += 2;
        for (int i = 0; i < count; i++) {
            at += 6 + u4(at + 2);
        }
        return at;
    }

    /** Copies one method_info to out, patching its Code when targets choose it; returns its end. */
    private int method(int start, Targets targets, ByteArrayOutputStream out) throws Declined {
        int access = u2(start);
        String name = utf8(u2(start + 2));
        String methodDescriptor = utf8(u2(start + 4));
        int end = skipAttributes(start + 6);
        String route = targets.route(access, name, methodDescriptor);
        if (route == null) {
            out.write(in, start, end - start);
            return end;
        }
        out.write(in, start, 8);                     // access, name, descriptor, attribute count
        int at = start + 8;
        int count = u2(start + 6);
        boolean hadCode = false;
        for (int i = 0; i < count; i++) {
            int length = u4(at + 2);
            if (utf8(u2(at)).equals("Code")) {
                code(at, prologue(route, methodDescriptor), out);
                hadCode = true;
            } else {
                out.write(in, at, 6 + length);
            }
            at += 6 + length;
        }
        if (hadCode) {
            patched++;
        }
        return end;
    }

    /** The inserted call and branch, NOP-padded at its start to a multiple of four bytes. */
    private byte[] prologue(String route, String methodDescriptor) throws Declined {
        boolean classAndString = methodDescriptor.startsWith(CLASS_STRING);
        if (!classAndString && !methodDescriptor.startsWith(STRING)) {
            throw new Declined("a target must take (Class, String, ...) or (String): " + methodDescriptor);
        }
        int close = methodDescriptor.indexOf(')');
        if (!methodDescriptor.startsWith("L", close + 1) || !methodDescriptor.endsWith(";")) {
            throw new Declined("a target must return an object: " + methodDescriptor);
        }
        String returnName = methodDescriptor.substring(close + 2, methodDescriptor.length() - 1);
        for (int i = 0; i < returnName.length(); i++) {
            if (returnName.charAt(i) >= 0x80) { // written back as ASCII below; the JDK's loaders return ASCII-named types
                throw new Declined("a target's return type is not named in ASCII: " + methodDescriptor);
            }
        }
        int returnType = classRef(returnName);
        ByteArrayOutputStream code = new ByteArrayOutputStream(24);
        code.write(0x13);                            // ldc_w route
        put2(code, routeConstant(route));
        code.write(0x2a);                            // aload_0: the loader object
        if (classAndString) {
            code.write(0x2b);                        // aload_1: the calling class
            code.write(0x2c);                        // aload_2: the name
        } else {
            code.write(0x01);                        // aconst_null
            code.write(0x2b);                        // aload_1: the name
        }
        code.write(0xb8);                            // invokestatic owner.load
        put2(code, load());
        code.write(0x59);                            // dup
        code.write(0xc1);                            // instanceof Class
        put2(code, classClass());
        code.write(0x9a);                            // ifne RUN (7 bytes on: checkcast, areturn, then RUN)
        put2(code, 7);
        code.write(0xc0);                            // checkcast the method's return type
        put2(code, returnType);
        code.write(0xb0);                            // areturn
        code.write(0x57);                            // RUN: pop
        byte[] body = code.toByteArray();
        byte[] padded = new byte[(body.length + 3) & ~3];
        System.arraycopy(body, 0, padded, padded.length - body.length, body.length);
        return padded;                               // leading zeros are NOPs; RUN is the last byte
    }

    /** Copies the Code attribute at {@code at} with the prologue inserted. */
    private void code(int at, byte[] prologue, ByteArrayOutputStream out) throws Declined {
        int n = prologue.length;
        int maxStack = u2(at + 6);
        int codeLength = u4(at + 10);
        int codeStart = at + 14;
        int tableAt = codeStart + codeLength;
        int handlers = u2(tableAt);
        int attributesAt = tableAt + 2 + 8 * handlers;
        int length = u4(at + 2);
        if (length < 0 || length > in.length - at - 6) {
            throw new Declined("Code attribute longer than the class file");
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(length + n + 8);
        put2(body, Math.max(maxStack, 4));
        put2(body, u2(at + 8));                      // max_locals: only the arguments are read
        put4(body, codeLength + n);
        body.write(prologue, 0, n);
        body.write(in, codeStart, codeLength);
        put2(body, handlers);
        for (int h = 0; h < handlers; h++) {
            int entry = tableAt + 2 + 8 * h;
            put2(body, u2(entry) + n);
            put2(body, u2(entry + 2) + n);
            put2(body, u2(entry + 4) + n);
            put2(body, u2(entry + 6));
        }
        int count = u2(attributesAt);
        boolean hadStackMap = false;
        for (int i = 0, a = attributesAt + 2; i < count; i++, a += 6 + u4(a + 2)) {
            hadStackMap |= utf8(u2(a)).equals("StackMapTable");
        }
        put2(body, hadStackMap ? count : count + 1);
        int a = attributesAt + 2;
        for (int i = 0; i < count; i++) {
            String name = utf8(u2(a));
            int attributeLength = u4(a + 2);
            int data = a + 6;
            switch (name) {
                case "StackMapTable" -> stackMap(a, data, n, body);
                case "LineNumberTable" -> shiftTable(a, data, 4, n, body);
                case "LocalVariableTable", "LocalVariableTypeTable" -> shiftTable(a, data, 10, n, body);
                default -> throw new Declined("code attribute " + name);
            }
            a = data + attributeLength;
        }
        if (!hadStackMap) {                          // straight-line code had none: one frame now
            put2(body, stackMapName());
            put4(body, 2 + 4);
            put2(body, 1);
            runFrame(body, n);
        }
        out.write(in, at, 2);                        // the name index of "Code"
        put4(out, body.size());
        out.write(body.toByteArray(), 0, body.size());
    }

    /**
     * The stack map gains one frame, first, at RUN (offset n - 1): the method's initial locals
     * and one Object on the stack. The original first frame, at original offset d, now at d + n,
     * is counted from RUN: (d + n) - (n - 1) - 1 = d, its delta unchanged; so every original
     * frame is copied as it is.
     */
    private void stackMap(int attribute, int data, int n, ByteArrayOutputStream out) {
        int length = u4(attribute + 2);
        out.write(in, attribute, 2);
        put4(out, length + 4);
        put2(out, u2(data) + 1);
        runFrame(out, n);
        out.write(in, data + 2, length - 2);
    }

    /** same_locals_1_stack_item_frame at n - 1 (n <= 24, within its 0-63 range), stack [Object]. */
    private void runFrame(ByteArrayOutputStream out, int n) {
        out.write(64 + n - 1);
        out.write(7);                                // Object_variable_info
        put2(out, objectClass());
    }

    /** A table of entries whose first u2 is a code offset: LineNumberTable, LocalVariable(Type)Table. */
    private void shiftTable(int attribute, int data, int entrySize, int n, ByteArrayOutputStream out) {
        int length = u4(attribute + 2);
        out.write(in, attribute, 6);
        int count = u2(data);
        put2(out, count);
        for (int i = 0; i < count; i++) {
            int entry = data + 2 + entrySize * i;
            put2(out, u2(entry) + n);
            out.write(in, entry + 2, entrySize - 2);
        }
        int rest = data + 2 + entrySize * count;
        out.write(in, rest, data + length - rest);
    }

    private int routeConstant(String route) {
        Integer known = routeRefs.get(route);
        if (known != null) {
            return known;
        }
        int string = add(8, addUtf8(route), -1);
        routeRefs.put(route, string);
        return string;
    }

    private int load() {
        if (loadRef == 0) {
            loadRef = methodRef(owner, "load", descriptor);
        }
        return loadRef;
    }

    private int classClass() {
        if (classClass == 0) {
            classClass = classRef("java/lang/Class");
        }
        return classClass;
    }

    private int objectClass() {
        if (objectClass == 0) {
            objectClass = classRef("java/lang/Object");
        }
        return objectClass;
    }

    private int stackMapName() {
        if (stackMapName == 0) {
            stackMapName = addUtf8("StackMapTable");
        }
        return stackMapName;
    }

    private int classRef(String className) {
        return add(7, addUtf8(className), -1);
    }

    private int methodRef(String className, String name, String type) {
        int classRef = classRef(className);
        int nameAndType = add(12, addUtf8(name), addUtf8(type));
        return add(10, classRef, nameAndType);
    }

    /** Appends a constant with one or two u2 operands; returns its index. */
    private int add(int tag, int first, int second) {
        added.write(tag);
        put2(added, first);
        if (second >= 0) {
            put2(added, second);
        }
        return poolCount++;
    }

    /** Appends an ASCII Utf8 constant (all names used here are ASCII). */
    private int addUtf8(String text) {
        added.write(1);
        put2(added, text.length());
        for (int i = 0; i < text.length(); i++) {
            added.write(text.charAt(i));
        }
        return poolCount++;
    }

    /** A Utf8 constant of the original pool, decoded as modified UTF-8 for the names compared here. */
    private String utf8(int index) throws Declined {
        if (index <= 0 || index >= entries.length || entries[index] == 0 || in[entries[index]] != 1) {
            throw new Declined("bad name index " + index);
        }
        int at = entries[index];
        // the JDK's own decoding (an ASCII name is copied as it is): a loop of ours over each
        // character cost more, interpreted before main; modified UTF-8 differs from UTF-8 only in
        // NUL and characters outside the BMP, never in a name looked for
        return new String(in, at + 3, u2(at + 1), java.nio.charset.StandardCharsets.UTF_8);
    }

    private int u2(int at) {
        return (in[at] & 0xff) << 8 | (in[at + 1] & 0xff);
    }

    private int u4(int at) {
        return (in[at] & 0xff) << 24 | (in[at + 1] & 0xff) << 16 | (in[at + 2] & 0xff) << 8 | (in[at + 3] & 0xff);
    }

    private static void put2(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value);
    }

    private static void put4(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }
}
