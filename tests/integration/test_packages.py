"""The packages: the .deb and the .rpm made by `cmake --build --target
package` from a build for /usr; lintian finds no errors in the .deb, rpm and
rpmlint read the .rpm; the .deb installs into a fresh Debian 12 root
(debootstrap, from the mirror apt uses here) with its dependencies from that
mirror, makes the group, puts the family policy in /etc/rdguard, starts
nothing in a chroot, and runs; purging it leaves nothing of it behind, and
nothing that was not its own is taken.

Slow parts are kept in build/packages/ between runs: the build for /usr
(build/), the fresh root as a tarball (bookworm-root.tar.gz) and the
downloaded dependencies (apt-archives/). Needs root
(debootstrap, chroot, mounting /proc); the chroot's /proc is unmounted even
when a check fails."""

import glob
import grp
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import rdgtest

BUILD = os.path.abspath(rdgtest.BUILD)
SOURCE = os.path.abspath(rdgtest.SOURCE)
# Shared by the builds of one checkout (build/ci and build/asan make the
# same packages: the build for /usr is a build of its own).
WORK = os.path.join(SOURCE, "build", "packages")
PKG_BUILD = os.path.join(WORK, "build")
ROOT_TARBALL = os.path.join(WORK, "bookworm-root.tar.gz")
ARCHIVES = os.path.join(WORK, "apt-archives")
SUITE = "bookworm"
# The links that enable the service and the notifier's user unit.
ENABLED = (
    "/etc/systemd/system/multi-user.target.wants/rdguardd.service",
    "/etc/systemd/user/graphical-session.target.wants/rdguard-notifier.service",
)
CHROOT_ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "DEBIAN_FRONTEND": "noninteractive",
    "LC_ALL": "C",
    "HOME": "/root",
}


def run(*argv, check=True, **kw):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed ({r.returncode}):\n"
                             f"{r.stdout[-4000:]}")
    return r


def debian_mirror():
    """The Debian mirror apt uses on this machine (deb822 or one-line
    sources), so that the root comes from where the machine's own packages
    come from."""
    sources = sorted(glob.glob("/etc/apt/sources.list.d/*.sources"))
    for path in sources:
        with open(path) as f:
            for block in f.read().split("\n\n"):
                fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", block, re.M))
                suites = fields.get("Suites", "").split()
                if SUITE in suites and "deb" in fields.get("Types", ""):
                    return fields["URIs"].split()[0]
    for path in ["/etc/apt/sources.list"] + sorted(
            glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            with open(path) as f:
                for line in f:
                    m = re.match(r"\s*deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)",
                                 line)
                    if m and m.group(2) == SUITE:
                        return m.group(1)
        except OSError:
            pass
    return "http://deb.debian.org/debian"


def mounts_under(path):
    """Mount points at or below path."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].replace("\\040", " ")
            if point == path or point.startswith(path + "/"):
                found.append(point)
    return found


def build_packages():
    """The build for /usr, and `cmake --build --target package` in it."""
    run("cmake", "-S", SOURCE, "-B", PKG_BUILD, "-DCMAKE_INSTALL_PREFIX=/usr",
        "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DBUILD_TESTING=OFF",
        "-DRDGUARD_WERROR=ON")
    for old in glob.glob(os.path.join(PKG_BUILD, "rdguard[-_]*.*")):
        os.unlink(old)
    run("cmake", "--build", PKG_BUILD, "-j2", "--target", "package")
    debs = glob.glob(os.path.join(PKG_BUILD, "rdguard_*.deb"))
    rpms = glob.glob(os.path.join(PKG_BUILD, "rdguard-*.rpm"))
    assert len(debs) == 1 and len(rpms) == 1, (debs, rpms)
    return debs[0], rpms[0]


def make_root_tarball():
    """A fresh minbase Debian 12, debootstrapped once, with apt's lists."""
    if os.path.exists(ROOT_TARBALL):
        return
    root = tempfile.mkdtemp(prefix="debootstrap-", dir=WORK)
    try:
        run("debootstrap", "--variant=minbase", SUITE, root, debian_mirror())
        shutil.copy("/etc/resolv.conf", os.path.join(root, "etc/resolv.conf"))
        run("chroot", root, "apt-get", "update", env=CHROOT_ENV)
        run("tar", "-C", root, "-czf", ROOT_TARBALL + ".part", ".")
        os.rename(ROOT_TARBALL + ".part", ROOT_TARBALL)
    finally:
        if not mounts_under(root):
            shutil.rmtree(root)


class Chroot:
    """A fresh root from the tarball with /proc mounted, a policy-rc.d that
    refuses every start, and no systemd running; close() unmounts and
    removes it."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="root-", dir=WORK)
        run("tar", "-C", self.root, "-xzf", ROOT_TARBALL)
        shutil.copy("/etc/resolv.conf", os.path.join(self.root, "etc/resolv.conf"))
        rc_d = os.path.join(self.root, "usr/sbin/policy-rc.d")
        with open(rc_d, "w") as f:
            f.write("#!/bin/sh\nexit 101\n")
        os.chmod(rc_d, 0o755)
        self.proc = os.path.join(self.root, "proc")
        run("mount", "-t", "proc", "proc", self.proc)

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    def run(self, *argv, check=True):
        return run("chroot", self.root, *argv, check=check, env=CHROOT_ENV)

    def processes(self):
        """Pids of processes whose root is this chroot."""
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.readlink(f"/proc/{entry}/root") == self.root:
                        pids.append(int(entry))
                except OSError:
                    pass
        return pids

    def close(self):
        for pid in self.processes():
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        if mounts_under(self.root):
            r = run("umount", self.proc, check=False)
            if r.returncode != 0:
                run("umount", "-l", self.proc, check=False)
        left = mounts_under(self.root)
        if left:
            raise AssertionError(f"still mounted: {left}")
        shutil.rmtree(self.root)


def package_paths(deb):
    """The paths in the .deb, without the leading '.'."""
    listing = run("sh", "-c", f"dpkg-deb --fsys-tarfile '{deb}' | tar -t").stdout
    paths = []
    for line in listing.splitlines():
        p = line.lstrip(".").rstrip("/")
        if p:
            paths.append(p)
    return paths


def remove_stale_roots():
    """Roots a killed run left behind (its /proc unmounted first)."""
    for stale in glob.glob(os.path.join(WORK, "root-*")) + \
            glob.glob(os.path.join(WORK, "debootstrap-*")):
        for point in sorted(mounts_under(stale), reverse=True):
            run("umount", "-l", point, check=False)
        if not mounts_under(stale):
            shutil.rmtree(stale)


class Packages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(WORK, exist_ok=True)
        remove_stale_roots()
        cls.deb, cls.rpm = build_packages()
        cls.version = re.search(r"rdguard_([^_]+)_", cls.deb).group(1)

    def test_lintian_finds_no_errors(self):
        r = run("lintian", "--no-cfg", "--fail-on", "error", self.deb,
                check=False)
        errors = [l for l in r.stdout.splitlines() if l.startswith("E:")]
        self.assertEqual(errors, [], r.stdout)
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_deb_declares_dependencies_and_conffiles(self):
        fields = run("dpkg-deb", "-f", self.deb, "Package", "Version",
                     "Depends").stdout
        self.assertIn("Package: rdguard", fields)
        self.assertIn(f"Version: {self.version}", fields)
        for lib in ("adduser", "libevent-core-2.1-7", "libssl3", "libyaml-0-2",
                    "libjansson4", "libsystemd0", "libcap-ng0", "libnotify4", "libglib2.0-0",
                    "libgtk-3-0"):
            self.assertRegex(fields, rf"[ ,]{re.escape(lib)}\b")
        info = tempfile.mkdtemp(dir=WORK)
        try:
            run("dpkg-deb", "-e", self.deb, info)
            with open(os.path.join(info, "conffiles")) as f:
                conffiles = f.read().split()
        finally:
            shutil.rmtree(info)
        self.assertIn("/etc/rdguard/policy.yaml", conffiles)
        self.assertIn("/etc/xdg/autostart/rdguard-notifier.desktop", conffiles)
        self.assertTrue(all(c.startswith("/etc/") for c in conffiles), conffiles)

    def test_rpm_lists_files_requirements_and_config(self):
        files = run("rpm", "-qpl", self.rpm).stdout.split()
        for f in ("/usr/sbin/rdguardd", "/usr/bin/rdguard",
                  "/usr/lib/systemd/system/rdguardd.service",
                  "/etc/rdguard/policy.yaml", "/etc/rdguard/policy.d",
                  "/etc/rdguard/keys"):
            self.assertIn(f, files)
        # Folders of other packages are not claimed.
        for f in ("/usr/sbin", "/usr/share/locale/de", "/usr/lib/systemd"):
            self.assertNotIn(f, files)
        requires = run("rpm", "-qpR", self.rpm).stdout
        for soname in ("libevent_core-2.1.so.7", "libssl.so.3",
                       "libyaml-0.so.2", "libjansson.so.4", "libsystemd.so.0",
                       "libnotify.so.4", "libgtk-3.so.0", "libcap-ng.so.0",
                       "shadow-utils"):
            self.assertIn(soname, requires)
        config = run("rpm", "-qpc", self.rpm).stdout.split()
        self.assertIn("/etc/rdguard/policy.yaml", config)
        scripts = run("rpm", "-qp", "--scripts", self.rpm).stdout
        self.assertIn("groupadd --system rdguard-admin", scripts)
        r = run("rpmlint", self.rpm, check=False)
        errors = [l for l in r.stdout.splitlines()
                  if " E: " in l and " E: no-signature" not in l]
        self.assertEqual(errors, [], r.stdout)

    def test_installs_runs_and_purges_in_a_fresh_debian(self):
        make_root_tarball()
        chroot = Chroot()
        try:
            self.install_run_purge(chroot)
        finally:
            chroot.close()

    def install_deb(self, c):
        shutil.copy(self.deb, c.path("/tmp"))
        deb = "/tmp/" + os.path.basename(self.deb)
        archives = c.path("/var/cache/apt/archives")
        if os.path.isdir(ARCHIVES):
            for f in glob.glob(os.path.join(ARCHIVES, "*.deb")):
                shutil.copy(f, archives)
        c.run("apt-get", "update")
        c.run("apt-get", "install", "-y", "--no-install-recommends", deb)
        os.makedirs(ARCHIVES, exist_ok=True)
        for f in glob.glob(os.path.join(archives, "*.deb")):
            shutil.copy(f, ARCHIVES)

    def install_run_purge(self, c):
        paths = package_paths(self.deb)
        existed = {p for p in paths if os.path.lexists(c.path(p))}

        self.install_deb(c)
        status = c.run("dpkg-query", "-W", "-f=${Status} ${Version}",
                       "rdguard").stdout
        self.assertEqual(status, f"install ok installed {self.version}")
        for f in ("/usr/sbin/rdguardd", "/usr/bin/rdguard",
                  "/usr/bin/rdguard-notifier",
                  "/usr/libexec/rdguard/rdguard-native-host"):
            self.assertTrue(os.access(c.path(f), os.X_OK), f)
        for f in ("/lib/systemd/system/rdguardd.service",
                  "/usr/lib/systemd/user/rdguard-notifier.service",
                  "/etc/xdg/autostart/rdguard-notifier.desktop",
                  "/usr/lib/mozilla/native-messaging-hosts/org.rdguard.native_host.json",
                  "/etc/chromium/native-messaging-hosts/org.rdguard.native_host.json",
                  "/usr/share/polkit-1/actions/org.rdguard.policy",
                  "/usr/share/rdguard/catalog/anydesk.yaml",
                  "/usr/share/doc/rdguard/copyright"):
            self.assertTrue(os.path.isfile(c.path(f)), f)
        for page in glob.glob(os.path.join(SOURCE, "docs/man/*.[1-8]")):
            name = os.path.basename(page)
            section = name.rsplit(".", 1)[1]
            self.assertTrue(os.path.isfile(
                c.path(f"/usr/share/man/man{section}/{name}.gz")), name)
        with open(c.path("/etc/rdguard/policy.yaml")) as f, \
                open(os.path.join(SOURCE, "policies/family.yaml")) as g:
            self.assertEqual(f.read(), g.read())
        for d in ("/etc/rdguard/policy.d", "/etc/rdguard/keys"):
            self.assertTrue(os.path.isdir(c.path(d)), d)
        state = os.stat(c.path("/var/lib/rdguard"))
        self.assertEqual(state.st_mode & 0o7777, 0o750)
        group = c.run("getent", "group", "rdguard-admin").stdout
        self.assertTrue(group.startswith("rdguard-admin:x:"), group)
        self.assertLess(int(group.split(":")[2]), 1000, "not a system group")
        # Enabled for the next boot (and the notifier for every desktop
        # session), but nothing started in the chroot.
        for link in ENABLED:
            self.assertTrue(os.path.lexists(c.path(link)), link)
        self.assertEqual(c.processes(), [])

        r = c.run("rdguard", "--version")
        self.assertEqual(r.stdout.strip(), f"rdguard {self.version}")
        r = c.run("rdguard", "policy", "check")
        self.assertIn("/etc/rdguard/policy.yaml: the policy is fine", r.stdout)
        c.run("rdguardd", "--check")

        # The administrator's change to a conffile survives a reinstall.
        with open(c.path("/etc/rdguard/policy.yaml"), "a") as f:
            f.write("# changed by the administrator\n")
        c.run("apt-get", "install", "-y", "--reinstall",
              "/tmp/" + os.path.basename(self.deb))
        with open(c.path("/etc/rdguard/policy.yaml")) as f:
            self.assertTrue(f.read().endswith("# changed by the administrator\n"))

        c.run("apt-get", "purge", "-y", "rdguard")
        r = c.run("dpkg-query", "-W", "-f=${Status}", "rdguard", check=False)
        self.assertNotIn("installed", r.stdout.replace("not-installed", ""))
        self.assertFalse(os.path.lexists(c.path("/etc/rdguard")))
        self.assertFalse(os.path.lexists(c.path("/var/lib/rdguard")))
        with open(c.path("/etc/group")) as f:
            self.assertNotIn("rdguard-admin", f.read())
        for link in ENABLED:
            self.assertFalse(os.path.lexists(c.path(link)), link)
        # What is left of the package's paths is other packages' (a folder
        # its dependencies brought, like /etc/xdg).
        left = [p for p in paths
                if p not in existed and os.path.lexists(c.path(p))
                and c.run("dpkg-query", "-S", p, check=False).returncode != 0]
        self.assertEqual(left, [])

        # Purging removes what the package made (and the drop-in `rdguard
        # setup` writes) and nothing else: a key the administrator put in
        # /etc/rdguard/keys stays.
        self.install_deb(c)
        with open(c.path("/etc/rdguard/keys/family.pub.pem"), "w") as f:
            f.write("not ours\n")
        with open(c.path("/etc/rdguard/policy.d/10-setup.yaml"), "w") as f:
            f.write("mode: enforce\n")
        c.run("apt-get", "purge", "-y", "rdguard")
        self.assertTrue(os.path.isfile(c.path("/etc/rdguard/keys/family.pub.pem")))
        self.assertFalse(os.path.lexists(c.path("/etc/rdguard/policy.d")))
        self.assertFalse(os.path.lexists(c.path("/etc/rdguard/policy.yaml")))
        self.assertFalse(os.path.lexists(c.path("/var/lib/rdguard")))


if __name__ == "__main__":
    rdgtest.main()
