// Training board: Jeopardy-style game. State (teams, scores, used tiles) lives in localStorage.
(function () {
  "use strict";
  var root = document.getElementById("training");
  if (!root) return;
  var KEY = "cxpulse.training.v1";
  var text = JSON.parse(root.dataset.i18n);
  var board = JSON.parse(document.getElementById("board-data").textContent);
  var tiles = {};
  board.categories.forEach(function (c) { c.tiles.forEach(function (t) { tiles[t.id] = t; }); });
  var dialog = document.getElementById("clue");
  var current = null;

  function fresh() {
    return { teams: [{ name: text.team + " 1", score: 0 }, { name: text.team + " 2", score: 0 }], used: {} };
  }
  function load() {
    try { var s = JSON.parse(localStorage.getItem(KEY)); if (s && s.teams) return s; } catch (e) { /* ignore */ }
    return fresh();
  }
  var state = load();
  function save() { try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ } }

  function fmt(n) { return new Intl.NumberFormat(document.documentElement.lang).format(n); }

  function renderTeams() {
    var box = document.getElementById("teams");
    box.innerHTML = "";
    state.teams.forEach(function (team, i) {
      var row = document.createElement("div");
      row.className = "team";
      row.dataset.team = String(i);
      var name = document.createElement("span"); name.className = "team-name"; name.textContent = team.name;
      var right = document.createElement("span"); right.className = "row"; right.style.gap = "8px";
      var score = document.createElement("span");
      score.className = "team-score" + (team.score < 0 ? " neg" : "");
      score.dataset.role = "score"; score.textContent = fmt(team.score);
      var del = document.createElement("button");
      del.type = "button"; del.className = "btn btn-sm btn-ghost"; del.textContent = "×";
      del.title = text.remove; del.setAttribute("aria-label", text.remove + " " + team.name);
      del.addEventListener("click", function () { state.teams.splice(i, 1); save(); renderTeams(); });
      right.appendChild(score); if (state.teams.length > 1) right.appendChild(del);
      row.appendChild(name); row.appendChild(right);
      box.appendChild(row);
    });
  }

  function renderBoard() {
    var left = 0;
    document.querySelectorAll(".tile").forEach(function (b) {
      var used = !!state.used[b.dataset.tile];
      b.disabled = used;
      b.textContent = used ? "" : b.dataset.points;
      if (!used) left += 1;
    });
    var status = document.getElementById("game-status");
    if (left === 0 && state.teams.length) {
      var best = Math.max.apply(null, state.teams.map(function (t) { return t.score; }));
      var winners = state.teams.filter(function (t) { return t.score === best; }).map(function (t) { return t.name; });
      status.textContent = winners.length > 1 ? text.tie + ": " + winners.join(", ") : text.winner + ": " + winners[0];
      status.className = "flash flash-success";
    }
  }

  function close(markUsed) {
    if (current && markUsed) { state.used[current.id] = true; save(); }
    current = null;
    dialog.close();
    renderBoard();
  }

  function award(i, delta) {
    state.teams[i].score += delta;
    save();
    renderTeams();
  }

  function open(button) {
    var tile = tiles[button.dataset.tile];
    current = tile;
    document.getElementById("clue-category").textContent = button.dataset.category;
    document.getElementById("clue-points").textContent = fmt(tile.points);
    document.getElementById("clue-text").textContent = tile.clue;
    var answer = document.getElementById("clue-answer");
    answer.textContent = tile.answer; answer.hidden = true;
    var box = document.getElementById("award");
    box.innerHTML = "";
    state.teams.forEach(function (team, i) {
      var ok = document.createElement("button");
      ok.type = "button"; ok.className = "btn btn-sm"; ok.dataset.award = String(i); ok.dataset.result = "right";
      ok.textContent = "✓ " + team.name; ok.title = text.right;
      ok.addEventListener("click", function () { award(i, tile.points); close(true); });
      var ko = document.createElement("button");
      ko.type = "button"; ko.className = "btn btn-sm"; ko.dataset.award = String(i); ko.dataset.result = "wrong";
      ko.textContent = "✗ " + team.name; ko.title = text.wrong;
      ko.addEventListener("click", function () { award(i, -tile.points); ko.disabled = true; ok.disabled = true; });
      box.appendChild(ok); box.appendChild(ko);
    });
    dialog.showModal();
  }

  document.querySelectorAll(".tile").forEach(function (b) {
    b.addEventListener("click", function () { if (!b.disabled) open(b); });
  });
  document.getElementById("reveal").addEventListener("click", function () {
    document.getElementById("clue-answer").hidden = false;
  });
  document.getElementById("nobody").addEventListener("click", function () { close(true); });
  dialog.addEventListener("cancel", function (e) { e.preventDefault(); close(false); });
  document.getElementById("add-team").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = e.target.elements.team;
    var name = input.value.trim();
    if (!name || state.teams.length >= 6) return;
    state.teams.push({ name: name, score: 0 });
    input.value = "";
    save(); renderTeams();
  });
  document.getElementById("new-game").addEventListener("click", function () {
    if (!window.confirm(text.confirm_new)) return;
    var names = state.teams.map(function (t) { return t.name; });
    state = fresh();
    if (names.length) state.teams = names.map(function (n) { return { name: n, score: 0 }; });
    save(); renderTeams(); renderBoard();
    var status = document.getElementById("game-status"); status.className = "muted small";
  });

  renderTeams();
  renderBoard();
})();
