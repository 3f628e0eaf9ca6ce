import { mount } from "svelte";
import { followLanguage } from "../lib/language.svelte";
import "../style.css";
import Settings from "./Settings.svelte";

// The shell's language first, so the first paint is in it.
void followLanguage().finally(() => {
  const target = document.getElementById("app");
  if (target) mount(Settings, { target });
});
