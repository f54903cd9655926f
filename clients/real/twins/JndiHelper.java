// jndi-helper: the JDK's JNDI DNS provider (com.sun.jndi.dns) for the twin
// protocol of clients/real/twin.h, one request at a time, in one JVM for the
// whole run.
//
// Each lookup opens a DirContext on dns://ADDRESS:PORT with one try of one
// second (com.sun.jndi.dns.timeout.initial=1000, retries=1) and reads the A
// or AAAA attribute; unspec asks A, then AAAA, and unites them.
// Replies: ok with the addresses; NameNotFoundException -> nxdomain; no
// attribute -> nodata; a CommunicationException caused by a socket timeout ->
// timeout; other NamingExceptions -> error with reason servfail
// (ServiceUnavailableException), refused (NoPermissionException), notimp
// (OperationNotSupportedException), comm (other CommunicationException) or
// naming; the words are the exception's class and message.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.naming.CommunicationException;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.NoPermissionException;
import javax.naming.OperationNotSupportedException;
import javax.naming.ServiceUnavailableException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

public final class JndiHelper {
    private JndiHelper() {}

    /** Adds the values of attribute type of name to out; false when there is none. */
    private static boolean ask(DirContext ctx, String name, String type, Set<String> out)
            throws NamingException {
        Attributes attrs = ctx.getAttributes(name, new String[] {type});
        Attribute a = attrs.get(type);
        if (a == null) {
            return false;
        }
        NamingEnumeration<?> values = a.getAll();
        while (values.hasMore()) {
            out.add(String.valueOf(values.next()));
        }
        return true;
    }

    private static boolean timedOut(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String failure(String id, long ms, NamingException e) {
        String words = (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
        String status = "error";
        String reason = "naming";
        if (e instanceof NameNotFoundException) {
            status = "nxdomain";
            reason = "-";
        } else if (e instanceof CommunicationException && timedOut(e)) {
            status = "timeout";
            reason = "-";
        } else if (e instanceof ServiceUnavailableException) {
            reason = "servfail";
        } else if (e instanceof NoPermissionException) {
            reason = "refused";
        } else if (e instanceof OperationNotSupportedException) {
            reason = "notimp";
        } else if (e instanceof CommunicationException) {
            reason = "comm";
        }
        return id + " " + status + " " + ms + " " + reason + " " + words;
    }

    private static String lookup(String id, String address, String port, String name, String family) {
        String[] types;
        switch (family) {
            case "inet": types = new String[] {"A"}; break;
            case "inet6": types = new String[] {"AAAA"}; break;
            case "unspec": types = new String[] {"A", "AAAA"}; break;
            default: return id + " bad-request family must be inet, inet6 or unspec";
        }
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", "dns://" + address + ":" + port + "/");
        env.put("com.sun.jndi.dns.timeout.initial", "1000");
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        long start = System.nanoTime();
        Set<String> addrs = new LinkedHashSet<>();
        boolean any = false;
        try {
            DirContext ctx = new InitialDirContext(env);
            try {
                for (String type : types) {
                    any |= ask(ctx, name, type, addrs);
                }
            } finally {
                ctx.close();
            }
        } catch (NamingException e) {
            return failure(id, (System.nanoTime() - start) / 1000000, e);
        }
        long ms = (System.nanoTime() - start) / 1000000;
        if (!any || addrs.isEmpty()) {
            return id + " nodata " + ms + " - no " + String.join("/", types) + " attribute";
        }
        return id + " ok " + ms + " " + String.join(" ", addrs);
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            String[] tok = line.trim().split("\\s+");
            String reply;
            if (tok.length == 2 && tok[1].equals("version")) {
                reply = tok[0] + " version java " + System.getProperty("java.version");
            } else if (tok.length == 5) {
                reply = lookup(tok[0], tok[1], tok[2], tok[3], tok[4]);
            } else if (!tok[0].isEmpty()) {
                reply = tok[0] + " bad-request expected '<id> <address> <port> <name> <family>' or '<id> version'";
            } else {
                reply = "? bad-request empty line";
            }
            out.println(reply);
            out.flush();
            if (out.checkError()) {
                System.exit(1);
            }
        }
    }
}
