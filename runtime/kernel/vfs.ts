// The virtual file system: an in-memory tree of inodes, optional read-only mounts of host
// directories, and path resolution relative to a starting directory.
//
// - Every inode has a number, a type (regular, directory, FIFO, character device, symlink)
//   and permission bits. Permission bits are recorded and reported by stat, not enforced
//   (the process behaves as its owner); read-only mounts are enforced (EROFS).
// - Directories keep their parent, so `..` is resolved inside the guest tree: it never
//   reaches a host directory above a mount point, and `..` at `/` stays at `/`.
// - Host mounts are populated lazily: each component is looked up with lstat on the host
//   below the mount's root, one component at a time. Host symlinks are shown (lstat sees
//   S_IFLNK) but never followed (ELOOP), so nothing outside the mounted directory can be
//   reached, whatever the links say.
// - Symlinks are not created by the guest (no symlink call yet), so in-memory resolution
//   never follows one either.
//
// Names are byte strings (one JS char per byte), as paths arrive from user memory; seed
// paths (UTF-8 JS strings) are converted on the way in.
//
// Invariant: resolution returns an errno name or a result; it never throws for any path.
import { lstatSync, openSync, readdirSync, readSync, closeSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { NAME_MAX, PATH_MAX, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG } from './linux/abi.ts';

export type InodeKind = 'reg' | 'dir' | 'fifo' | 'chr' | 'lnk';
const TYPE_BITS: Record<InodeKind, number> = { reg: S_IFREG, dir: S_IFDIR, fifo: S_IFIFO, chr: S_IFCHR, lnk: S_IFLNK };

export class Inode {
  /** Regular files: the contents (capacity ≥ size). Host files load on first use. */
  private bytes: Uint8Array | null = null;
  size = 0;
  /** Directories: children by name. Host directories fill in lazily. */
  readonly children = new Map<string, Inode>();
  /** Directories: the directory containing this one (root: itself). */
  parent: Inode = this;
  /** Unlinked inodes stay alive while open but have no name. */
  linked = true;
  nlinkExtra = 0;
  rdev = 0;
  uid = 0;
  gid = 0;

  constructor(
    readonly ino: number,
    readonly kind: InodeKind,
    public perm: number,
    /** Last modification, in virtual ns since boot (host files: boot, so traces stay deterministic). */
    public mtimeNs: number,
    readonly readOnly: boolean,
    /** The host path backing this inode (inside a read-only mount), or null. */
    readonly hostPath: string | null,
  ) {}

  get mode(): number {
    return TYPE_BITS[this.kind] | (this.perm & 0o7777);
  }

  get nlink(): number {
    if (this.kind !== 'dir') return this.linked ? 1 : 0;
    let subdirs = 0;
    for (const c of this.children.values()) if (c.kind === 'dir') subdirs++;
    return (this.linked ? 2 : 0) + subdirs;
  }

  /**
   * Loads a host file's contents (open calls this); false if the host refuses (the file
   * went away, became a link, or is unreadable), which open reports as EACCES.
   */
  load(): boolean {
    if (this.bytes !== null || this.hostPath === null || this.kind !== 'reg') return true;
    try {
      this.bytes = readHostFile(this.hostPath, this.size);
      this.size = this.bytes.length;
      return true;
    } catch {
      return false;
    }
  }

  /** Regular file contents (exactly `size` bytes, a view: copy before keeping). */
  data(): Uint8Array {
    this.bytes ??= new Uint8Array(0);
    return this.bytes.subarray(0, this.size);
  }

  /** Writes bytes at offset, growing the file (zero-filling any gap). */
  writeAt(offset: number, src: Uint8Array): void {
    const end = offset + src.length;
    let buf = this.bytes ?? new Uint8Array(0);
    if (end > buf.length) {
      const grown = new Uint8Array(Math.max(end, buf.length * 2, 64));
      grown.set(buf.subarray(0, this.size));
      buf = grown;
    }
    buf.set(src, offset);
    this.bytes = buf;
    if (end > this.size) this.size = end;
  }

  truncate(length: number): void {
    this.data();
    const buf = this.bytes!;
    if (length < this.size) buf.fill(0, length, this.size);
    else if (length > buf.length) {
      const grown = new Uint8Array(length);
      grown.set(buf.subarray(0, this.size));
      this.bytes = grown;
    }
    this.size = length;
  }
}

function readHostFile(path: string, size: number): Uint8Array {
  // O_NOFOLLOW: the file was seen as a regular file by lstat; never follow a link swapped in since.
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    const out = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, out, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return out.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export interface SeedFile {
  /** Absolute guest path. */
  path: string;
  /** Contents (strings are UTF-8); omit for a directory. */
  contents?: string | Uint8Array;
  /** Permission bits; default 0644 for files, 0755 for directories. */
  mode?: number;
  directory?: boolean;
}

export interface HostMount {
  /** Absolute guest directory where the host directory appears (created if missing). */
  at: string;
  /** Host directory shown there, read-only. */
  hostDir: string;
}

/** What resolution found: the directory holding the last component, its name, and the inode if it exists. */
export interface Lookup {
  dir: Inode;
  name: string;
  inode: Inode | undefined;
  /** The path ended in '/', so the last component must be a directory. */
  trailingSlash: boolean;
}

export type Errno = string;

export class Vfs {
  private nextIno = 2;
  readonly root: Inode;

  constructor(
    private readonly nowNs: () => number,
    seed: ReadonlyArray<SeedFile> = [],
    mounts: ReadonlyArray<HostMount> = [],
  ) {
    this.root = this.newInode('dir', 0o755, false, null);
    for (const f of seed) this.seedOne(f);
    for (const m of mounts) this.mount(m);
  }

  newInode(kind: InodeKind, perm: number, readOnly: boolean, hostPath: string | null): Inode {
    return new Inode(this.nextIno++, kind, perm, this.nowNs(), readOnly, hostPath);
  }

  private seedOne(f: SeedFile): void {
    const isDir = f.directory === true || f.contents === undefined;
    const parts = splitSeedPath(f.path);
    const dir = this.mkdirs(parts.slice(0, -1), f.path);
    const name = parts[parts.length - 1];
    if (name === undefined) return; // '/': the root already exists
    const existing = dir.children.get(name);
    if (existing) {
      if (isDir && existing.kind === 'dir') {
        if (f.mode !== undefined) existing.perm = f.mode;
        return;
      }
      throw new Error(`file system seed: ${f.path} is given twice`);
    }
    if (isDir) {
      this.link(dir, name, this.newInode('dir', f.mode ?? 0o755, false, null));
    } else {
      const node = this.newInode('reg', f.mode ?? 0o644, false, null);
      node.writeAt(0, typeof f.contents === 'string' ? new TextEncoder().encode(f.contents) : f.contents!);
      this.link(dir, name, node);
    }
  }

  private mkdirs(parts: string[], whole: string): Inode {
    let dir = this.root;
    for (const p of parts) {
      let next = dir.children.get(p);
      if (!next) {
        next = this.newInode('dir', 0o755, false, null);
        this.link(dir, p, next);
      }
      if (next.kind !== 'dir') throw new Error(`file system seed: ${whole}: ${p} is not a directory`);
      dir = next;
    }
    return dir;
  }

  private mount(m: HostMount): void {
    const st = lstatSync(m.hostDir, { throwIfNoEntry: false });
    if (!st?.isDirectory()) throw new Error(`mount: host directory ${m.hostDir} does not exist or is not a directory`);
    const parts = splitSeedPath(m.at);
    const name = parts[parts.length - 1];
    if (name === undefined) throw new Error('mount: cannot mount over /');
    const dir = this.mkdirs(parts.slice(0, -1), m.at);
    if (dir.children.has(name)) throw new Error(`mount: ${m.at} already exists in the seeded tree`);
    this.link(dir, name, this.newInode('dir', st.mode & 0o7777, true, m.hostDir));
  }

  /** Adds `child` under `dir` as `name`. */
  link(dir: Inode, name: string, child: Inode): void {
    dir.children.set(name, child);
    if (child.kind === 'dir') child.parent = dir;
    child.linked = true;
    dir.mtimeNs = this.nowNs();
  }

  unlink(dir: Inode, name: string): void {
    const child = dir.children.get(name);
    if (!child) return;
    dir.children.delete(name);
    child.linked = false;
    dir.mtimeNs = this.nowNs();
  }

  /** The child `name` of `dir`, filling it in from the host for mounted directories. */
  child(dir: Inode, name: string): Inode | undefined {
    const known = dir.children.get(name);
    if (known || dir.hostPath === null) return known;
    const hostPath = join(dir.hostPath, Buffer.from(name, 'latin1').toString('utf8'));
    let st;
    try {
      st = lstatSync(hostPath, { throwIfNoEntry: false });
    } catch {
      return undefined; // unreadable on the host: as if absent
    }
    if (!st) return undefined;
    const kind: InodeKind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'lnk' : st.isFile() ? 'reg' : 'chr';
    const node = this.newInode(kind, st.mode & 0o7777, true, kind === 'chr' ? null : hostPath);
    if (kind === 'reg' || kind === 'lnk') node.size = st.size;
    dir.children.set(name, node);
    if (kind === 'dir') node.parent = dir;
    return node;
  }

  /**
   * dir's entries in the order getdents lists them (after `.` and `..`): creation order in
   * the in-memory tree; name order (bytewise, so the same on every host) in a mounted host
   * directory, read from the host each time (names the host refuses to lstat are left out).
   */
  list(dir: Inode): Array<[name: string, inode: Inode]> {
    if (dir.hostPath === null) return [...dir.children];
    let names: string[];
    try {
      names = readdirSync(dir.hostPath, { encoding: 'buffer' }).map((b) => b.toString('latin1'));
    } catch {
      names = []; // unreadable on the host: as if empty
    }
    const out: Array<[string, Inode]> = [];
    for (const name of names.sort()) {
      const child = name.length <= NAME_MAX ? this.child(dir, name) : undefined;
      if (child) out.push([name, child]);
    }
    return out;
  }

  /**
   * Resolves `path` starting at `start` (for relative paths) or the root. Every component
   * but the last must be a directory; the last need not exist. `.` and `..` are handled in
   * the guest tree.
   */
  resolve(start: Inode, path: string): Lookup | Errno {
    if (path.length === 0) return 'ENOENT';
    if (path.length >= PATH_MAX) return 'ENAMETOOLONG';
    let dir = path.startsWith('/') ? this.root : start;
    const parts = path.split('/').filter((p) => p.length > 0);
    const trailingSlash = path.endsWith('/');
    // '/' alone: the root, named '/' so callers can tell it from '.' (Linux's LAST_ROOT).
    if (parts.length === 0) return { dir: this.root, name: '/', inode: this.root, trailingSlash: true };
    for (let i = 0; i < parts.length - 1; i++) {
      const next = this.step(dir, parts[i]!);
      if (typeof next === 'string') return next;
      dir = next;
    }
    const name = parts[parts.length - 1]!;
    if (name.length > NAME_MAX) return 'ENAMETOOLONG';
    const inode = name === '.' ? dir : name === '..' ? dir.parent : this.child(dir, name);
    return { dir, name, inode, trailingSlash };
  }

  private step(dir: Inode, name: string): Inode | Errno {
    if (dir.kind !== 'dir') return 'ENOTDIR';
    if (name.length > NAME_MAX) return 'ENAMETOOLONG';
    if (name === '.') return dir;
    if (name === '..') return dir.parent;
    const next = this.child(dir, name);
    if (!next) return 'ENOENT';
    if (next.kind === 'lnk') return 'ELOOP';
    if (next.kind !== 'dir') return 'ENOTDIR';
    return next;
  }

  /** The absolute path of a linked directory, or null if it (or an ancestor) was removed. */
  pathOf(dir: Inode): string | null {
    const names: string[] = [];
    for (let d = dir; d !== this.root; d = d.parent) {
      if (!d.linked) return null;
      let name: string | undefined;
      for (const [n, c] of d.parent.children) if (c === d) name = n;
      if (name === undefined) return null;
      names.push(name);
    }
    return '/' + names.reverse().join('/');
  }
}

/** Splits an absolute seed path (a JS string, UTF-8 in the guest) into byte-string components. */
function splitSeedPath(utf8Path: string): string[] {
  const path = Buffer.from(utf8Path, 'utf8').toString('latin1');
  if (!path.startsWith('/')) throw new Error(`file system seed: ${path} is not an absolute path`);
  const parts = path.split('/').filter((p) => p.length > 0);
  if (parts.some((p) => p === '.' || p === '..')) throw new Error(`file system seed: ${path} contains . or ..`);
  return parts;
}
