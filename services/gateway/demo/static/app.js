// The demo's only script: the basket (kept in localStorage), placing an order through
// the public API, and pages that update themselves. No framework, no build step.
"use strict";

const BASKET = "motostack.basket";
const CHECKOUT = "motostack.checkout";

const $ = (selector) => document.querySelector(selector);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const money = (cents, currency) => `${(cents / 100).toFixed(2)} ${currency}`;

function basket() {
  try { return JSON.parse(localStorage.getItem(BASKET)) || []; } catch { return []; }
}

function saveBasket(lines) {
  localStorage.setItem(BASKET, JSON.stringify(lines));
  showCount();
}

function showCount() {
  const count = basket().reduce((sum, line) => sum + (Number(line.quantity) || 0), 0);
  $("#basket-count").textContent = String(count);
}

function say(text, ok = false) {
  const box = $("#message");
  box.textContent = text;
  box.classList.toggle("ok", ok);
  box.hidden = !text;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// One Idempotency-Key per order: the same basket and address keep their key, so a
// retry (or a second click) can never place a second order; any change gets a new one.
function keyFor(body) {
  const fingerprint = JSON.stringify(body);
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(CHECKOUT)); } catch { saved = null; }
  if (saved && saved.fingerprint === fingerprint) return saved.key;
  const key = newKey();
  sessionStorage.setItem(CHECKOUT, JSON.stringify({ fingerprint, key }));
  return key;
}

function friendly(status, problem, lines) {
  const named = (sku) => (lines.find((line) => line.sku === sku) || { name: sku }).name;
  if (status === 409 && problem.sku) {
    const left = problem.available;
    return left > 0
      ? `Sorry, only ${left} × ${named(problem.sku)} left. Lower the quantity and try again.`
      : `Sorry, ${named(problem.sku)} is sold out. Remove it and try again.`;
  }
  if (status === 422) {
    const fields = (problem.errors || []).map((error) => error.field || "");
    if (fields.some((field) => field === "customer")) return "Please enter a valid e-mail address for the receipt.";
    if (fields.some((field) => field.endsWith("quantity"))) return "Each quantity must be a whole number from 1 to 1000.";
    if (fields.some((field) => field === "lines")) return "Your basket is empty.";
    if (fields.some((field) => field === "lines.sku")) return "One of the products is no longer sold. Remove it and try again.";
    return `Please check your order: ${problem.detail || "something is not valid"}.`;
  }
  if (status === 401 || status === 403) return "Please sign in to place an order.";
  return "The shop could not take your order just now. Your basket is kept: try again in a moment.";
}

function renderBasket() {
  const lines = basket();
  const body = $("#basket-lines tbody");
  body.replaceChildren();
  for (const line of lines) {
    const row = document.createElement("tr");
    row.dataset.sku = line.sku;
    const name = document.createElement("td");
    name.textContent = `${line.name} (${line.sku})`;
    const quantity = document.createElement("td");
    const input = document.createElement("input");
    input.type = "number";
    input.name = "quantity";
    input.value = line.quantity;
    input.addEventListener("change", () => {
      saveBasket(basket().map((l) => (l.sku === line.sku ? { ...l, quantity: input.value } : l)));
    });
    quantity.append(input);
    const price = document.createElement("td");
    price.textContent = money(line.price * (Number(line.quantity) || 0), line.currency);
    const remove = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Remove";
    button.addEventListener("click", () => {
      saveBasket(basket().filter((l) => l.sku !== line.sku));
      renderBasket();
    });
    remove.append(button);
    row.append(name, quantity, price, remove);
    body.append(row);
  }
  $("#basket-empty").hidden = lines.length > 0;
}

function basketPage() {
  renderBasket();
  const form = $("#checkout");
  const button = $("#place-order");
  let placing = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (placing) return; // a second click while the first is on its way does nothing
    placing = true;
    button.disabled = true;
    say("");
    const lines = basket();
    const body = {
      customer: form.elements.customer.value.trim(),
      lines: lines.map((line) => ({ sku: line.sku, quantity: Number(line.quantity) })),
    };
    try {
      const response = await fetch("/api/orders", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": keyFor(body) },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        saveBasket([]);
        sessionStorage.removeItem(CHECKOUT);
        window.location.assign(`/orders/${answer.id}`);
        return;
      }
      say(friendly(response.status, answer, lines));
    } catch {
      say(friendly(0, {}, lines));
    }
    placing = false;
    button.disabled = false;
  });
}

function productPage() {
  const form = $("#add");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const quantity = Number(form.elements.quantity.value) || 1;
    const lines = basket();
    const line = lines.find((l) => l.sku === form.dataset.sku);
    if (line) line.quantity = (Number(line.quantity) || 0) + quantity;
    else lines.push({
      sku: form.dataset.sku, id: form.dataset.id, name: form.dataset.name,
      price: Number(form.dataset.price), currency: form.dataset.currency, quantity,
    });
    saveBasket(lines);
    say(`Added ${quantity} × ${form.dataset.name} to your basket.`, true);
  });
}

async function showFulfilment(orderId) {
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const response = await fetch(`/api/fulfillment/fulfilments/${orderId}`);
    if (response.ok) {
      const record = await response.json();
      if (record.receipt) $("#receipt").textContent = JSON.stringify(record.receipt.content, null, 2);
      if (record.email) {
        const mail = record.email;
        $("#email").textContent = `From: ${mail.sender}\nTo: ${mail.to.join(", ")}\nSubject: ${mail.subject}\n\n${mail.body}`;
      }
      $("#fulfilment").hidden = false;
      $("#waiting").hidden = true;
      return;
    }
    await sleep(1000);
  }
}

async function orderPage() {
  const status = $("#order-status");
  const orderId = status.dataset.order;
  const until = Date.now() + 5 * 60 * 1000;
  while (Date.now() < until) {
    try {
      const response = await fetch(`/api/orders/${orderId}`);
      if (response.ok) {
        const order = await response.json();
        status.textContent = order.status;
        status.className = `status status-${order.status.toLowerCase()}`;
        if (order.status === "FULFILLED") {
          await showFulfilment(orderId);
          return;
        }
      }
    } catch { /* the stack restarting: keep polling */ }
    await sleep(1000);
  }
}

function flowPage() {
  const target = $("#flow-body");
  setInterval(async () => {
    try {
      const response = await fetch("/flow?part=body");
      if (response.ok) target.innerHTML = await response.text();
    } catch { /* keep the last view */ }
  }, 2000);
  const button = $("#redrive");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await fetch("/api/fulfillment/dead-letters/redrive", { method: "POST" });
      const answer = await response.json().catch(() => ({}));
      say(response.ok
        ? `Moved ${answer.moved} dead letter${answer.moved === 1 ? "" : "s"} back to the work queue.`
        : `Redrive refused: ${answer.detail || response.status}`, response.ok);
    } catch {
      say("The gateway could not be reached.");
    }
    button.disabled = false;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  showCount();
  const page = document.body.dataset.page;
  if (page === "basket") basketPage();
  if (page === "product") productPage();
  if (page === "order") orderPage();
  if (page === "flow") flowPage();
});
