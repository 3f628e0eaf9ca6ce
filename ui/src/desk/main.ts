import { mount } from "svelte";
import "../style.css";
import Desk from "./Desk.svelte";

const target = document.getElementById("app");
if (target) mount(Desk, { target });
