import { render } from "preact";
import "./customer.css";
import { startI18n } from "../app/i18n/i18n.js";
import { CustomerPage } from "./ui/CustomerPage.js";
import { screen, start } from "./state.js";

/**
 * The page a customer opens from a contact point's link or QR code: no app,
 * no account. It loads nothing from any other origin (CSP of the server).
 */
async function main(): Promise<void> {
  await startI18n();
  const root = document.getElementById("app");
  if (root === null) throw new Error("customer.html has no #app");
  render(<CustomerPage />, root);
  try {
    await start(location);
  } catch (error) {
    console.warn("bote: contact point", error);
    screen.value = { kind: "unknown" };
  }
}

void main();
