// The editor's script: progressive enhancement only. Every form works without it
// (plain posts, post/redirect/get); this adds live validation: a field marked
// data-rule is checked against the build's rule for it (GET /_edit/check) 300 ms
// after typing stops, and the answer is shown under the field and announced.
// The save applies every rule again, so a check is only ever a hint.
(() => {
  "use strict";
  const PAUSE_MS = 300;

  function watch(input) {
    const field = input.closest(".field");
    const live = document.createElement("p");
    live.className = "problem live";
    live.id = `${input.id}-live`;
    live.setAttribute("aria-live", "polite");
    input.after(live);
    input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${live.id}`.trim());
    let timer = 0;
    let asked = 0;

    async function check() {
      const value = input.value;
      const number = ++asked;
      const query = new URLSearchParams({ rule: input.dataset.rule, value });
      let answer;
      try {
        const response = await fetch(`/_edit/check?${query}`, { credentials: "same-origin" });
        if (!response.ok) return;  // too long to check live, or the editor stopped: the save will say
        answer = await response.json();
      } catch {
        return;
      }
      if (number !== asked || value !== input.value) return;  // typed on meanwhile: a newer check follows
      // What the last save said of this field is about an older value now.
      for (const old of field.querySelectorAll(".problem:not(.live)")) old.hidden = true;
      live.textContent = answer.problem || "";  // worded as the save's own message under the field
      field.classList.toggle("invalid", Boolean(answer.problem));
      if (answer.problem) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(check, PAUSE_MS);
    });
  }

  for (const input of document.querySelectorAll("[data-rule][id]")) watch(input);
})();
