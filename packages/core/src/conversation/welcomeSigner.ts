import { makeKeyPackageRef } from "ts-mls/keyPackage.js";
import { decryptGroupInfo, decryptGroupSecrets } from "ts-mls/welcome.js";
import type { Conversation } from "../conversation.js";
import { decodeKeyPackage, type KeyPackageBundle } from "../keyPackages.js";
import type { ConversationMember } from "./incoming.js";
import { decodeMessage, loadConversationSuite, memberAt } from "./shared.js";

/**
 * Who added this device: the member whose leaf signed the Welcome's
 * GroupInfo, which in MLS is the committer of the Add. joinConversation has
 * verified that signature already, but ts-mls keeps no record of the
 * signer, so the GroupInfo is decrypted once more with the same key
 * package. Call it only with a Welcome joinConversation accepted and the
 * conversation it returned. Undefined when the Welcome cannot tell
 * (not for this key package, or pre-shared keys, which Bote does not use).
 */
export async function readWelcomeSigner(
  welcomeBytes: Uint8Array,
  bundle: KeyPackageBundle,
  joined: Conversation,
): Promise<ConversationMember | undefined> {
  const message = decodeMessage(welcomeBytes);
  if (message.wireformat !== "mls_welcome") return undefined;
  const keyPackage = decodeKeyPackage(bundle.keyPackage, joined.ciphersuite);
  if (!keyPackage.ok) return undefined;
  const cs = await loadConversationSuite(joined);
  const ref = await makeKeyPackageRef(keyPackage.value, cs.hash);
  const initKey = await cs.hpke.importPrivateKey(bundle.privateKeys.initPrivateKey);
  // ts-mls throws when no secret is for this key package: then the Welcome tells this device nothing.
  const secrets = await decryptGroupSecrets(initKey, ref, message.welcome, cs.hpke).catch(() => undefined);
  if (secrets === undefined) return undefined;
  try {
    if (secrets.psks.length > 0) return undefined;
    const groupInfo = await decryptGroupInfo(message.welcome, secrets.joinerSecret, new Uint8Array(cs.kdf.size), cs);
    return groupInfo === undefined ? undefined : memberAt(joined.group, groupInfo.signer);
  } finally {
    secrets.joinerSecret.fill(0);
  }
}
