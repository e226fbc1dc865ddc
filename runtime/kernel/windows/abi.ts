// Win32 facts the emulated kernel32 needs: access rights, share modes, creation
// dispositions, standard-handle numbers, seek methods, and the Win32 error codes it can
// report. These are numbers fixed by the Windows SDK headers (winnt.h, winbase.h,
// winerror.h); the names are what the API-monitor tracer prints.
//
// Invariant: every error code here that the target's generated table also names has the
// same number there (checked when a WindowsKernel is built).

export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_EXECUTE = 0x20000000;
export const GENERIC_ALL = 0x10000000;

export const FILE_SHARE_READ = 0x1;
export const FILE_SHARE_WRITE = 0x2;
export const FILE_SHARE_DELETE = 0x4;

export const CREATE_NEW = 1;
export const CREATE_ALWAYS = 2;
export const OPEN_EXISTING = 3;
export const OPEN_ALWAYS = 4;
export const TRUNCATE_EXISTING = 5;

export const FILE_BEGIN = 0;
export const FILE_CURRENT = 1;
export const FILE_END = 2;

/** GetStdHandle's arguments, as DWORDs ((DWORD)-10, -11, -12). */
export const STD_INPUT_HANDLE = 0xfffffff6;
export const STD_OUTPUT_HANDLE = 0xfffffff5;
export const STD_ERROR_HANDLE = 0xfffffff4;

/** CreateThread's dwCreationFlags bits (winbase.h). */
export const CREATE_SUSPENDED = 0x4;
export const STACK_SIZE_PARAM_IS_A_RESERVATION = 0x10000;

/** (HANDLE)-1, which CreateFileW and GetStdHandle return on failure. */
export const INVALID_HANDLE_VALUE = -1n;
/** SetFilePointer's failure value, (DWORD)-1. */
export const INVALID_SET_FILE_POINTER = 0xffffffff;

/** A flag bit or an enumerated value with its SDK name. */
export type Named = readonly [value: number, name: string];

/** dwDesiredAccess bits, highest first, as API Monitor lists them. */
export const ACCESS_FLAGS: readonly Named[] = [
  [GENERIC_READ, 'GENERIC_READ'], [GENERIC_WRITE, 'GENERIC_WRITE'], [GENERIC_EXECUTE, 'GENERIC_EXECUTE'], [GENERIC_ALL, 'GENERIC_ALL'],
];
export const SHARE_FLAGS: readonly Named[] = [
  [FILE_SHARE_READ, 'FILE_SHARE_READ'], [FILE_SHARE_WRITE, 'FILE_SHARE_WRITE'], [FILE_SHARE_DELETE, 'FILE_SHARE_DELETE'],
];
export const DISPOSITIONS: readonly Named[] = [
  [CREATE_NEW, 'CREATE_NEW'], [CREATE_ALWAYS, 'CREATE_ALWAYS'], [OPEN_EXISTING, 'OPEN_EXISTING'], [OPEN_ALWAYS, 'OPEN_ALWAYS'],
  [TRUNCATE_EXISTING, 'TRUNCATE_EXISTING'],
];
/** dwFlagsAndAttributes bits this kernel accepts (and ignores beyond recording them). */
export const ATTRIBUTE_FLAGS: readonly Named[] = [
  [0x80000000, 'FILE_FLAG_WRITE_THROUGH'], [0x40000000, 'FILE_FLAG_OVERLAPPED'], [0x20000000, 'FILE_FLAG_NO_BUFFERING'],
  [0x10000000, 'FILE_FLAG_RANDOM_ACCESS'], [0x08000000, 'FILE_FLAG_SEQUENTIAL_SCAN'], [0x04000000, 'FILE_FLAG_DELETE_ON_CLOSE'],
  [0x02000000, 'FILE_FLAG_BACKUP_SEMANTICS'], [0x00200000, 'FILE_FLAG_OPEN_REPARSE_POINT'],
  [0x1, 'FILE_ATTRIBUTE_READONLY'], [0x2, 'FILE_ATTRIBUTE_HIDDEN'], [0x4, 'FILE_ATTRIBUTE_SYSTEM'], [0x20, 'FILE_ATTRIBUTE_ARCHIVE'],
  [0x80, 'FILE_ATTRIBUTE_NORMAL'], [0x100, 'FILE_ATTRIBUTE_TEMPORARY'],
];
export const MOVE_METHODS: readonly Named[] = [[FILE_BEGIN, 'FILE_BEGIN'], [FILE_CURRENT, 'FILE_CURRENT'], [FILE_END, 'FILE_END']];
export const THREAD_CREATION_FLAGS: readonly Named[] = [
  [CREATE_SUSPENDED, 'CREATE_SUSPENDED'], [STACK_SIZE_PARAM_IS_A_RESERVATION, 'STACK_SIZE_PARAM_IS_A_RESERVATION'],
];
export const STD_HANDLES: readonly Named[] = [
  [STD_INPUT_HANDLE, 'STD_INPUT_HANDLE'], [STD_OUTPUT_HANDLE, 'STD_OUTPUT_HANDLE'], [STD_ERROR_HANDLE, 'STD_ERROR_HANDLE'],
];

/** The Win32 error codes this kernel reports (winerror.h). */
export const WIN32_ERRORS = {
  ERROR_SUCCESS: 0,
  ERROR_INVALID_FUNCTION: 1,
  ERROR_FILE_NOT_FOUND: 2,
  ERROR_PATH_NOT_FOUND: 3,
  ERROR_TOO_MANY_OPEN_FILES: 4,
  ERROR_ACCESS_DENIED: 5,
  ERROR_INVALID_HANDLE: 6,
  ERROR_NOT_ENOUGH_MEMORY: 8,
  ERROR_SHARING_VIOLATION: 32,
  ERROR_HANDLE_EOF: 38,
  ERROR_NOT_SUPPORTED: 50,
  ERROR_FILE_EXISTS: 80,
  ERROR_INVALID_PARAMETER: 87,
  ERROR_BROKEN_PIPE: 109,
  ERROR_NEGATIVE_SEEK: 131,
  ERROR_FILENAME_EXCED_RANGE: 206,
  ERROR_ALREADY_EXISTS: 183,
  ERROR_NO_DATA: 232,
  ERROR_NOACCESS: 998,
} as const;
export type Win32ErrorName = keyof typeof WIN32_ERRORS;

/** The name of a Win32 error this kernel reports, or undefined. */
export function win32ErrorName(code: number): Win32ErrorName | undefined {
  for (const [name, n] of Object.entries(WIN32_ERRORS)) if (n === code) return name as Win32ErrorName;
  return undefined;
}

/**
 * Checks the kernel's codes against a target's error table (number, name, message rows):
 * a name both know must have the same number. Throws naming every disagreement.
 */
export function checkErrorTable(rows: ReadonlyArray<readonly [number, string, string]>): void {
  const bad: string[] = [];
  for (const [n, name] of rows) {
    const mine = (WIN32_ERRORS as Record<string, number>)[name];
    if (mine !== undefined && mine !== n) bad.push(`${name} is ${n} in the target's table but ${mine} in winerror.h`);
  }
  if (bad.length > 0) throw new Error(`windows kernel: error table disagrees: ${bad.join('; ')}`);
}
