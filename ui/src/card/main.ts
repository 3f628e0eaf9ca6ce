import { mount } from "svelte";
import "../style.css";
import CardWindow from "./CardWindow.svelte";

const target = document.getElementById("app");
if (target) mount(CardWindow, { target });
