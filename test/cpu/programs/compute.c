/* compute.c: a freestanding C program (its own _start, raw system calls) that exercises
 * gcc -O2 code: loops, 64-bit multiply and divide, shifts, branches, calls and memory.
 * It prints its arguments and a few results, and exits with a status derived from them.
 * Built with gcc -O2 -static -nostdlib -ffreestanding -mgeneral-regs-only; the optional
 * first argument is the number of rounds (the benchmark passes a large one). */
typedef unsigned long u64;
typedef long i64;

static i64 sys3(i64 n, i64 a, i64 b, i64 c) {
  i64 r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

void *memset(void *d, int c, u64 n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *d, const void *s, u64 n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}

static u64 slen(const char *s) {
  u64 n = 0;
  while (s[n]) n++;
  return n;
}

static void put(const char *s) { sys3(1, 1, (i64)s, (i64)slen(s)); }

static void putu(u64 v) {
  char b[24];
  int i = 23;
  b[i] = 0;
  do {
    b[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  put(b + i);
}

static u64 parse(const char *s) {
  u64 v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (u64)(*s++ - '0');
  return v;
}

static u64 fnv(u64 rounds) {
  u64 h = 1469598103934665603UL;
  for (u64 i = 0; i < rounds; i++) {
    h ^= i & 0xff;
    h *= 1099511628211UL;
  }
  return h;
}

static u64 primes(u64 limit) {
  u64 count = 0;
  for (u64 n = 2; n < limit; n++) {
    int prime = 1;
    for (u64 d = 2; d * d <= n; d++)
      if (n % d == 0) {
        prime = 0;
        break;
      }
    count += (u64)prime;
  }
  return count;
}

static i64 sorted_checksum(void) {
  i64 a[64];
  u64 x = 88172645463325252UL;
  for (int i = 0; i < 64; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    a[i] = (i64)(x % 2001) - 1000;
  }
  for (int i = 1; i < 64; i++) {
    i64 v = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
  i64 sum = 0;
  for (int i = 0; i < 64; i++) sum = sum * 31 + a[i] / 3 + (a[i] >> 2);
  return sum;
}

int cmain(i64 *sp) {
  i64 argc = sp[0];
  char **argv = (char **)(sp + 1);
  for (i64 i = 0; i < argc; i++) {
    put(argv[i]);
    put("\n");
  }
  u64 rounds = argc > 1 ? parse(argv[1]) : 100000;
  u64 h = fnv(rounds);
  u64 p = primes(5000);
  i64 s = sorted_checksum();
  put("fnv ");
  putu(h);
  put("\nprimes ");
  putu(p);
  put("\nsorted ");
  if (s < 0) {
    put("-");
    s = -s;
  }
  putu((u64)s);
  put("\n");
  return (int)((h ^ p) & 0x3f);
}

__attribute__((naked, noreturn)) void _start(void) {
  __asm__("mov %rsp, %rdi\n"
          "and $-16, %rsp\n"
          "call cmain\n"
          "mov %eax, %edi\n"
          "mov $60, %eax\n"
          "syscall\n");
}
