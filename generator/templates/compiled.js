// Compiled from generator/templates/*.hbs by `npx tsx generator/render/precompile.ts`; do not edit.
export default {
  "index": {"0":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "import { target as "
    + ((stack1 = (((helper = lookupProperty(helpers,"stem") || alias1(depth0, "stem", {"start":{"line":5,"column":21},"end":{"line":5,"column":25}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"stem","hash":{},"data":data,"loc":{"start":{"line":5,"column":19},"end":{"line":5,"column":27}}}) : helper))) != null ? stack1 : "")
    + " } from \"./target_"
    + ((stack1 = (((helper = lookupProperty(helpers,"stem") || alias1(depth0, "stem", {"start":{"line":5,"column":47},"end":{"line":5,"column":51}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"stem","hash":{},"data":data,"loc":{"start":{"line":5,"column":45},"end":{"line":5,"column":53}}}) : helper))) != null ? stack1 : "")
    + ".ts\";\n";
},"1":function(container,depth0,helpers,partials,data) {
    var stack1, helper, lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "  "
    + ((stack1 = (((helper = lookupProperty(helpers,"stem") || container.strict(depth0, "stem", {"start":{"line":10,"column":4},"end":{"line":10,"column":8}} ))),(typeof helper === "function" ? helper.call(depth0 != null ? depth0 : (container.nullContext || {}),{"name":"stem","hash":{},"data":data,"loc":{"start":{"line":10,"column":2},"end":{"line":10,"column":10}}}) : helper))) != null ? stack1 : "")
    + ",\n";
},"2":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "  \""
    + ((stack1 = (((helper = lookupProperty(helpers,"name") || alias1(depth0, "name", {"start":{"line":17,"column":5},"end":{"line":17,"column":9}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"name","hash":{},"data":data,"loc":{"start":{"line":17,"column":3},"end":{"line":17,"column":11}}}) : helper))) != null ? stack1 : "")
    + "\": "
    + ((stack1 = (((helper = lookupProperty(helpers,"stem") || alias1(depth0, "stem", {"start":{"line":17,"column":16},"end":{"line":17,"column":20}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"stem","hash":{},"data":data,"loc":{"start":{"line":17,"column":14},"end":{"line":17,"column":22}}}) : helper))) != null ? stack1 : "")
    + ",\n";
},"compiler":[8,">= 4.3.0"],"main":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=depth0 != null ? depth0 : (container.nullContext || {}), lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return ((stack1 = (((helper = lookupProperty(helpers,"header") || container.strict(depth0, "header", {"start":{"line":1,"column":3},"end":{"line":1,"column":9}} ))),(typeof helper === "function" ? helper.call(alias1,{"name":"header","hash":{},"data":data,"loc":{"start":{"line":1,"column":0},"end":{"line":1,"column":12}}}) : helper))) != null ? stack1 : "")
    + "\n\nimport type { TargetDescriptor } from \"../runtime/syscall.ts\";\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias1,lookupProperty(depth0,"targets"),{"name":"each","hash":{},"fn":container.program(0, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":4,"column":0},"end":{"line":6,"column":9}}})) != null ? stack1 : "")
    + "\nexport {\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias1,lookupProperty(depth0,"targets"),{"name":"each","hash":{},"fn":container.program(1, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":9,"column":0},"end":{"line":11,"column":9}}})) != null ? stack1 : "")
    + "};\n\n/** Every generated target's descriptor, by \"os/arch\". */\nexport const targets: Readonly<Record<string, TargetDescriptor>> = {\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias1,lookupProperty(depth0,"targets"),{"name":"each","hash":{},"fn":container.program(2, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":16,"column":0},"end":{"line":18,"column":9}}})) != null ? stack1 : "")
    + "};\n";
},"useData":true},
  "target": {"0":function(container,depth0,helpers,partials,data) {
    var stack1, helper, lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "import { syscallNumbers } from \"./zsysnum_"
    + ((stack1 = (((helper = lookupProperty(helpers,"stem") || container.strict(depth0, "stem", {"start":{"line":7,"column":44},"end":{"line":7,"column":48}} ))),(typeof helper === "function" ? helper.call(depth0 != null ? depth0 : (container.nullContext || {}),{"name":"stem","hash":{},"data":data,"loc":{"start":{"line":7,"column":42},"end":{"line":7,"column":50}}}) : helper))) != null ? stack1 : "")
    + ".ts\";\n";
},"1":function(container,depth0,helpers,partials,data) {
    var stack1;

  return ((stack1 = container.lambda(depth0, depth0)) != null ? stack1 : "")
    + "\n";
},"2":function(container,depth0,helpers,partials,data) {
    return "syscallNumbers";
},"3":function(container,depth0,helpers,partials,data) {
    return "{}";
},"4":function(container,depth0,helpers,partials,data) {
    var stack1, lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "  imports: {\n"
    + ((stack1 = lookupProperty(helpers,"each").call(depth0 != null ? depth0 : (container.nullContext || {}),lookupProperty(depth0,"imports"),{"name":"each","hash":{},"fn":container.program(1, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":27,"column":0},"end":{"line":29,"column":9}}})) != null ? stack1 : "")
    + "  },\n";
},"5":function(container,depth0,helpers,partials,data) {
    return "  imports: {},\n";
},"compiler":[8,">= 4.3.0"],"main":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return ((stack1 = (((helper = lookupProperty(helpers,"header") || alias1(depth0, "header", {"start":{"line":1,"column":3},"end":{"line":1,"column":9}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"header","hash":{},"data":data,"loc":{"start":{"line":1,"column":0},"end":{"line":1,"column":12}}}) : helper))) != null ? stack1 : "")
    + "\n\nimport type { TargetDescriptor } from \"../runtime/syscall.ts\";\nimport { errnoErr, errors } from \"./zerrors_"
    + ((stack1 = (((helper = lookupProperty(helpers,"os") || alias1(depth0, "os", {"start":{"line":4,"column":46},"end":{"line":4,"column":48}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"os","hash":{},"data":data,"loc":{"start":{"line":4,"column":44},"end":{"line":4,"column":50}}}) : helper))) != null ? stack1 : "")
    + ".ts\";\nimport * as wrappers from \"./zsyscall_"
    + ((stack1 = (((helper = lookupProperty(helpers,"stem") || alias1(depth0, "stem", {"start":{"line":5,"column":40},"end":{"line":5,"column":44}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"stem","hash":{},"data":data,"loc":{"start":{"line":5,"column":38},"end":{"line":5,"column":46}}}) : helper))) != null ? stack1 : "")
    + ".ts\";\n"
    + ((stack1 = lookupProperty(helpers,"if").call(alias2,lookupProperty(depth0,"hasNumbers"),{"name":"if","hash":{},"fn":container.program(0, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":6,"column":0},"end":{"line":8,"column":7}}})) != null ? stack1 : "")
    + "\nexport * from \"./zsyscall_"
    + ((stack1 = (((helper = lookupProperty(helpers,"stem") || alias1(depth0, "stem", {"start":{"line":10,"column":28},"end":{"line":10,"column":32}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"stem","hash":{},"data":data,"loc":{"start":{"line":10,"column":26},"end":{"line":10,"column":34}}}) : helper))) != null ? stack1 : "")
    + ".ts\";\n\n/** "
    + ((stack1 = (((helper = lookupProperty(helpers,"name") || alias1(depth0, "name", {"start":{"line":12,"column":6},"end":{"line":12,"column":10}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"name","hash":{},"data":data,"loc":{"start":{"line":12,"column":4},"end":{"line":12,"column":12}}}) : helper))) != null ? stack1 : "")
    + ": everything a machine needs to run this target's wrappers. */\nexport const target: TargetDescriptor = {\n  os: \""
    + ((stack1 = (((helper = lookupProperty(helpers,"os") || alias1(depth0, "os", {"start":{"line":14,"column":9},"end":{"line":14,"column":11}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"os","hash":{},"data":data,"loc":{"start":{"line":14,"column":7},"end":{"line":14,"column":13}}}) : helper))) != null ? stack1 : "")
    + "\",\n  arch: \""
    + ((stack1 = (((helper = lookupProperty(helpers,"arch") || alias1(depth0, "arch", {"start":{"line":15,"column":11},"end":{"line":15,"column":15}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"arch","hash":{},"data":data,"loc":{"start":{"line":15,"column":9},"end":{"line":15,"column":17}}}) : helper))) != null ? stack1 : "")
    + "\",\n  wordSize: "
    + ((stack1 = (((helper = lookupProperty(helpers,"wordSize") || alias1(depth0, "wordSize", {"start":{"line":16,"column":14},"end":{"line":16,"column":22}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"wordSize","hash":{},"data":data,"loc":{"start":{"line":16,"column":12},"end":{"line":16,"column":24}}}) : helper))) != null ? stack1 : "")
    + ",\n  endianness: \""
    + ((stack1 = (((helper = lookupProperty(helpers,"endian") || alias1(depth0, "endian", {"start":{"line":17,"column":17},"end":{"line":17,"column":23}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"endian","hash":{},"data":data,"loc":{"start":{"line":17,"column":15},"end":{"line":17,"column":25}}}) : helper))) != null ? stack1 : "")
    + "\",\n  syscallConvention: \""
    + ((stack1 = (((helper = lookupProperty(helpers,"convention") || alias1(depth0, "convention", {"start":{"line":18,"column":24},"end":{"line":18,"column":34}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"convention","hash":{},"data":data,"loc":{"start":{"line":18,"column":22},"end":{"line":18,"column":36}}}) : helper))) != null ? stack1 : "")
    + "\",\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias2,lookupProperty(depth0,"described"),{"name":"each","hash":{},"fn":container.program(1, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":19,"column":0},"end":{"line":21,"column":9}}})) != null ? stack1 : "")
    + "  numbers: "
    + ((stack1 = lookupProperty(helpers,"if").call(alias2,lookupProperty(depth0,"hasNumbers"),{"name":"if","hash":{},"fn":container.program(2, data, 0),"inverse":container.program(3, data, 0),"data":data,"loc":{"start":{"line":22,"column":11},"end":{"line":22,"column":60}}})) != null ? stack1 : "")
    + ",\n  errors,\n  errnoErr,\n"
    + ((stack1 = lookupProperty(helpers,"if").call(alias2,lookupProperty(lookupProperty(depth0,"imports"),"length"),{"name":"if","hash":{},"fn":container.program(4, data, 0),"inverse":container.program(5, data, 0),"data":data,"loc":{"start":{"line":25,"column":0},"end":{"line":33,"column":7}}})) != null ? stack1 : "")
    + "  wrappers,\n};\n";
},"useData":true},
  "zerrors": {"0":function(container,depth0,helpers,partials,data) {
    var stack1;

  return ((stack1 = container.lambda(depth0, depth0)) != null ? stack1 : "")
    + "\n";
},"1":function(container,depth0,helpers,partials,data) {
    var stack1, helper, lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "\n/**\n * The error of a failed call (Go's errnoErr): a failure that set no error code\n * reports ERROR_INVALID_PARAMETER, as Go reports EINVAL.\n */\nexport function errnoErr(e: number): Errno {\n  return errno(e === 0 ? "
    + ((stack1 = (((helper = lookupProperty(helpers,"zeroAs") || container.strict(depth0, "zeroAs", {"start":{"line":21,"column":27},"end":{"line":21,"column":33}} ))),(typeof helper === "function" ? helper.call(depth0 != null ? depth0 : (container.nullContext || {}),{"name":"zeroAs","hash":{},"data":data,"loc":{"start":{"line":21,"column":25},"end":{"line":21,"column":35}}}) : helper))) != null ? stack1 : "")
    + " : e);\n}\n";
},"2":function(container,depth0,helpers,partials,data) {
    return "\n/** The error of a failed call (Go's errnoErr). */\nexport const errnoErr: (e: number) => Errno = errno;\n";
},"3":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "export const "
    + ((stack1 = (((helper = lookupProperty(helpers,"name") || alias1(depth0, "name", {"start":{"line":30,"column":15},"end":{"line":30,"column":19}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"name","hash":{},"data":data,"loc":{"start":{"line":30,"column":13},"end":{"line":30,"column":21}}}) : helper))) != null ? stack1 : "")
    + " = errno("
    + ((stack1 = (((helper = lookupProperty(helpers,"number") || alias1(depth0, "number", {"start":{"line":30,"column":32},"end":{"line":30,"column":38}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"number","hash":{},"data":data,"loc":{"start":{"line":30,"column":30},"end":{"line":30,"column":40}}}) : helper))) != null ? stack1 : "")
    + ");\n";
},"4":function(container,depth0,helpers,partials,data) {
    var stack1, lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "\n"
    + ((stack1 = lookupProperty(helpers,"each").call(depth0 != null ? depth0 : (container.nullContext || {}),lookupProperty(depth0,"aliases"),{"name":"each","hash":{},"fn":container.program(5, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":34,"column":0},"end":{"line":36,"column":9}}})) != null ? stack1 : "");
},"5":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "export const "
    + ((stack1 = (((helper = lookupProperty(helpers,"name") || alias1(depth0, "name", {"start":{"line":35,"column":15},"end":{"line":35,"column":19}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"name","hash":{},"data":data,"loc":{"start":{"line":35,"column":13},"end":{"line":35,"column":21}}}) : helper))) != null ? stack1 : "")
    + " = "
    + ((stack1 = (((helper = lookupProperty(helpers,"target") || alias1(depth0, "target", {"start":{"line":35,"column":26},"end":{"line":35,"column":32}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"target","hash":{},"data":data,"loc":{"start":{"line":35,"column":24},"end":{"line":35,"column":34}}}) : helper))) != null ? stack1 : "")
    + ";\n";
},"compiler":[8,">= 4.3.0"],"main":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return ((stack1 = (((helper = lookupProperty(helpers,"header") || alias1(depth0, "header", {"start":{"line":1,"column":3},"end":{"line":1,"column":9}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"header","hash":{},"data":data,"loc":{"start":{"line":1,"column":0},"end":{"line":1,"column":12}}}) : helper))) != null ? stack1 : "")
    + "\n\nimport { errnoTable, type Errno, type ErrnoEntry } from \"../runtime/syscall.ts\";\n\n/** The "
    + ((stack1 = (((helper = lookupProperty(helpers,"os") || alias1(depth0, "os", {"start":{"line":5,"column":10},"end":{"line":5,"column":12}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"os","hash":{},"data":data,"loc":{"start":{"line":5,"column":8},"end":{"line":5,"column":14}}}) : helper))) != null ? stack1 : "")
    + " error table ("
    + ((stack1 = (((helper = lookupProperty(helpers,"source") || alias1(depth0, "source", {"start":{"line":5,"column":30},"end":{"line":5,"column":36}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"source","hash":{},"data":data,"loc":{"start":{"line":5,"column":28},"end":{"line":5,"column":38}}}) : helper))) != null ? stack1 : "")
    + "): number, name, message. */\nexport const errors: readonly ErrnoEntry[] = [\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias2,lookupProperty(depth0,"entries"),{"name":"each","hash":{},"fn":container.program(0, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":7,"column":0},"end":{"line":9,"column":9}}})) != null ? stack1 : "")
    + "];\n\n/** The Errno of a number, the same object every time. */\nexport const errno = errnoTable(\""
    + ((stack1 = (((helper = lookupProperty(helpers,"os") || alias1(depth0, "os", {"start":{"line":13,"column":35},"end":{"line":13,"column":37}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"os","hash":{},"data":data,"loc":{"start":{"line":13,"column":33},"end":{"line":13,"column":39}}}) : helper))) != null ? stack1 : "")
    + "\", errors);\n"
    + ((stack1 = lookupProperty(helpers,"if").call(alias2,lookupProperty(depth0,"zeroAs"),{"name":"if","hash":{},"fn":container.program(1, data, 0),"inverse":container.program(2, data, 0),"data":data,"loc":{"start":{"line":14,"column":0},"end":{"line":27,"column":7}}})) != null ? stack1 : "")
    + "\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias2,lookupProperty(depth0,"constants"),{"name":"each","hash":{},"fn":container.program(3, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":29,"column":0},"end":{"line":31,"column":9}}})) != null ? stack1 : "")
    + ((stack1 = lookupProperty(helpers,"if").call(alias2,lookupProperty(lookupProperty(depth0,"aliases"),"length"),{"name":"if","hash":{},"fn":container.program(4, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":32,"column":0},"end":{"line":37,"column":7}}})) != null ? stack1 : "");
},"useData":true},
  "zsyscall": {"0":function(container,depth0,helpers,partials,data) {
    var stack1;

  return ((stack1 = container.lambda(depth0, depth0)) != null ? stack1 : "")
    + "\n";
},"1":function(container,depth0,helpers,partials,data) {
    var stack1;

  return "\n"
    + ((stack1 = container.lambda(depth0, depth0)) != null ? stack1 : "")
    + "\n";
},"2":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=depth0 != null ? depth0 : (container.nullContext || {}), lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "\n"
    + ((stack1 = (((helper = lookupProperty(helpers,"signature") || container.strict(depth0, "signature", {"start":{"line":12,"column":3},"end":{"line":12,"column":12}} ))),(typeof helper === "function" ? helper.call(alias1,{"name":"signature","hash":{},"data":data,"loc":{"start":{"line":12,"column":0},"end":{"line":12,"column":15}}}) : helper))) != null ? stack1 : "")
    + "\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias1,lookupProperty(depth0,"body"),{"name":"each","hash":{},"fn":container.program(0, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":13,"column":0},"end":{"line":15,"column":9}}})) != null ? stack1 : "")
    + "}\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias1,lookupProperty(depth0,"after"),{"name":"each","hash":{},"fn":container.program(1, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":17,"column":0},"end":{"line":20,"column":9}}})) != null ? stack1 : "");
},"compiler":[8,">= 4.3.0"],"main":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=depth0 != null ? depth0 : (container.nullContext || {}), lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return ((stack1 = (((helper = lookupProperty(helpers,"header") || container.strict(depth0, "header", {"start":{"line":1,"column":3},"end":{"line":1,"column":9}} ))),(typeof helper === "function" ? helper.call(alias1,{"name":"header","hash":{},"data":data,"loc":{"start":{"line":1,"column":0},"end":{"line":1,"column":12}}}) : helper))) != null ? stack1 : "")
    + "\n\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias1,lookupProperty(depth0,"imports"),{"name":"each","hash":{},"fn":container.program(0, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":3,"column":0},"end":{"line":5,"column":9}}})) != null ? stack1 : "")
    + ((stack1 = lookupProperty(helpers,"each").call(alias1,lookupProperty(depth0,"dllDecls"),{"name":"each","hash":{},"fn":container.program(1, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":6,"column":0},"end":{"line":9,"column":9}}})) != null ? stack1 : "")
    + ((stack1 = lookupProperty(helpers,"each").call(alias1,lookupProperty(depth0,"functions"),{"name":"each","hash":{},"fn":container.program(2, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":10,"column":0},"end":{"line":21,"column":9}}})) != null ? stack1 : "");
},"useData":true},
  "zsysnum": {"0":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "export const "
    + ((stack1 = (((helper = lookupProperty(helpers,"name") || alias1(depth0, "name", {"start":{"line":5,"column":15},"end":{"line":5,"column":19}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"name","hash":{},"data":data,"loc":{"start":{"line":5,"column":13},"end":{"line":5,"column":21}}}) : helper))) != null ? stack1 : "")
    + " = "
    + ((stack1 = (((helper = lookupProperty(helpers,"number") || alias1(depth0, "number", {"start":{"line":5,"column":26},"end":{"line":5,"column":32}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"number","hash":{},"data":data,"loc":{"start":{"line":5,"column":24},"end":{"line":5,"column":34}}}) : helper))) != null ? stack1 : "")
    + ";\n";
},"1":function(container,depth0,helpers,partials,data) {
    var stack1, helper, lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return "  "
    + ((stack1 = (((helper = lookupProperty(helpers,"name") || container.strict(depth0, "name", {"start":{"line":11,"column":4},"end":{"line":11,"column":8}} ))),(typeof helper === "function" ? helper.call(depth0 != null ? depth0 : (container.nullContext || {}),{"name":"name","hash":{},"data":data,"loc":{"start":{"line":11,"column":2},"end":{"line":11,"column":10}}}) : helper))) != null ? stack1 : "")
    + ",\n";
},"compiler":[8,">= 4.3.0"],"main":function(container,depth0,helpers,partials,data) {
    var stack1, helper, alias1=container.strict, alias2=depth0 != null ? depth0 : (container.nullContext || {}), alias3="function", lookupProperty = container.lookupProperty || function(parent, propertyName) {
        if (Object.prototype.hasOwnProperty.call(parent, propertyName)) {
          return parent[propertyName];
        }
        return undefined
    };

  return ((stack1 = (((helper = lookupProperty(helpers,"header") || alias1(depth0, "header", {"start":{"line":1,"column":3},"end":{"line":1,"column":9}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"header","hash":{},"data":data,"loc":{"start":{"line":1,"column":0},"end":{"line":1,"column":12}}}) : helper))) != null ? stack1 : "")
    + "\n\n// System call numbers of "
    + ((stack1 = (((helper = lookupProperty(helpers,"target") || alias1(depth0, "target", {"start":{"line":3,"column":28},"end":{"line":3,"column":34}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"target","hash":{},"data":data,"loc":{"start":{"line":3,"column":26},"end":{"line":3,"column":36}}}) : helper))) != null ? stack1 : "")
    + ", from "
    + ((stack1 = (((helper = lookupProperty(helpers,"source") || alias1(depth0, "source", {"start":{"line":3,"column":45},"end":{"line":3,"column":51}} ))),(typeof helper === alias3 ? helper.call(alias2,{"name":"source","hash":{},"data":data,"loc":{"start":{"line":3,"column":43},"end":{"line":3,"column":53}}}) : helper))) != null ? stack1 : "")
    + ".\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias2,lookupProperty(depth0,"entries"),{"name":"each","hash":{},"fn":container.program(0, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":4,"column":0},"end":{"line":6,"column":9}}})) != null ? stack1 : "")
    + "\n/** Every trap name of the table, with its number. */\nexport const syscallNumbers: Readonly<Record<string, number>> = {\n"
    + ((stack1 = lookupProperty(helpers,"each").call(alias2,lookupProperty(depth0,"entries"),{"name":"each","hash":{},"fn":container.program(1, data, 0),"inverse":container.noop,"data":data,"loc":{"start":{"line":10,"column":0},"end":{"line":12,"column":9}}})) != null ? stack1 : "")
    + "};\n";
},"useData":true},
};
