package dev.peerkey;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A directory only its user may write: the profile home, the local chain directory. Made 0700;
 * refused if someone else could write to it (group- or world-writable) or it belongs to another
 * user, since they could replace the files in it under us. Nothing is checked or set where the
 * file system has no POSIX permissions.
 */
public final class PrivateDirectory {
    /** This process's user: the only one who may own a private directory it uses. */
    private static final String USER = System.getProperty("user.name");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateDirectory() {
    }

    /**
     * Refuses {@code dir} if another user owns it or others can write to it; a directory that does
     * not exist yet passes (it is made 0700 by {@link #create}).
     *
     * @param what what the directory is, for the message ("profile home", "chain directory")
     * @param ownOption the option that picks another one ("--home DIR")
     * @throws PeerkeyException naming the directory, its owner and mode, and the fix
     */
    public static void check(Path dir, String what, String ownOption) {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            // A symbolic link must be the user's own (in /tmp another user could have planted it to
            // point wherever they like); then its target is checked like any directory.
            String linkOwner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
            if (Files.isSymbolicLink(dir) && !linkOwner.equals(USER)) {
                throw new PeerkeyException("refusing the " + what + " " + dir + ": it is a symbolic link of "
                        + linkOwner + "'s; use a " + what + " of your own (" + ownOption + ")");
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
            String owner = Files.getOwner(dir).getName();
            boolean othersWrite = mode.contains(PosixFilePermission.GROUP_WRITE)
                    || mode.contains(PosixFilePermission.OTHERS_WRITE);
            if (!owner.equals(USER) || othersWrite) {
                String fix = !owner.equals(USER)
                        ? "use a " + what + " of your own (" + ownOption + "), or have it given to " + USER
                        + " (chown " + USER + " " + dir + ")"
                        : "chmod 700 " + dir;
                throw new PeerkeyException("refusing the " + what + " " + dir + ": it belongs to " + owner
                        + " with mode " + PosixFilePermissions.toString(mode) + "; a " + what + " must be " + USER
                        + "'s and writable by no one else: " + fix);
            }
        } catch (IOException e) {
            throw new PeerkeyException("cannot check the " + what + " " + dir + ": " + e.getMessage());
        }
    }

    /** Makes {@code dir} and every missing parent 0700; an existing directory is left as it is. */
    public static void create(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
            Files.createDirectories(dir);
        }
    }

    /**
     * Makes {@code dir} 0700 with one mkdir, which fails ({@link java.nio.file.FileAlreadyExistsException})
     * if anything is there already: no one else's directory is taken for a new one.
     */
    public static void createNew(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
            Files.createDirectory(dir);
        }
    }
}
