// The bytes of echo-fixture.asm (nasm -f bin): a flat multiboot kernel that
// echoes COM1 input after a "$ " prompt. The web front end boots it when the
// real kernel is not selected (?guest=fixture) and the e2e tests use it to
// check the terminal and VGA plumbing independently of the kernel.

const HEX =
  "02b0ad1b00000100fe4f51e400001000000010001c0110001c01100020001000bc0000090066baf90330c0ee66bafb03" +
  "b080ee66baf803b001ee66baf90330c0ee66bafb03b003ee66bafa03b0c7ee66bafc03b00beebf00800b00b9d0070000" +
  "66b8201ff366abbe03011000bf00800b00b41eac84c0740466abebf7be03011000e859000000be17011000e84f000000" +
  "31db66bafd03eca80174f766baf803ec43e8170000003c0d7407e83d000000ebe1be17011000e824000000ebd56089d8" +
  "bfde810b00b90a00000031d2f7f180c230b64f66891783ef0285c075ed61c3ac84c07407e803000000ebf4c3505288c4" +
  "66bafd03eca82074fb88e066baf803ee5a58c3766d616c6162206563686f2066697874757265000d0a242000";

/** A fresh copy of the fixture kernel image (the caller owns it). */
export function echoFixtureImage(): Uint8Array {
  const out = new Uint8Array(HEX.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(HEX.slice(i * 2, i * 2 + 2), 16);
  return out;
}
