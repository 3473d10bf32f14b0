/* The application form (templates/resellers/apply.html), progressively enhanced: without
   JavaScript every field shows, each labelled with whom it is for.
   - Show only the fields for the membership type chosen ([data-for-type]) and for the kind of
     applicant chosen ([data-for-kind]: the organisation's name only for an organisation).
   - Show live what share of the commitment the pledge covers. */
(function () {
  "use strict";
  var form = document.querySelector(".application-form");
  if (!form) return;

  function chosen(name, fallback) {
    var checked = form.querySelector("input[name=" + name + "]:checked");
    return checked ? checked.value : fallback;
  }
  function showFor(attribute, value) {
    form.querySelectorAll("[" + attribute + "]").forEach(function (el) {
      el.hidden = el.getAttribute(attribute) !== value;
    });
  }
  function showChosen() {
    showFor("data-for-type", chosen("type", "user"));
    showFor("data-for-kind", chosen("kind", "person"));
  }

  var pledge = document.getElementById("pledge");
  var out = document.getElementById("pledge-percent");
  function num(id) {
    var v = parseFloat((document.getElementById(id) || {}).value);
    return isNaN(v) || v < 0 ? 0 : v;
  }
  function showPercent() {
    if (!pledge || !out || !pledge.dataset.commitmentMoney) return;
    var money = parseFloat(pledge.dataset.commitmentMoney);
    var hours = parseFloat(pledge.dataset.commitmentHours);
    var share = (num("id_pledge_money") + num("id_pledge_resources_value")) / money +
      num("id_pledge_hours") / hours;
    // Written as the page's language writes numbers (12,5 in Catalan, 12.5 in English).
    out.textContent = (Math.floor(share * 10000) / 100).toLocaleString(
      document.documentElement.lang || undefined, { maximumFractionDigits: 2 });
  }

  form.addEventListener("input", showPercent);
  form.addEventListener("change", showChosen);
  showChosen();
  showPercent();
})();
